"""The settings refuse an unsafe production configuration."""

import os
import subprocess
import sys

CHECK = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='escalade.config.settings'; django.setup(); print('ok')"


def _run(**env):
    full = {k: v for k, v in os.environ.items() if not k.startswith("ESCALADE_")}
    full.update(env)
    return subprocess.run([sys.executable, "-c", CHECK], env=full, capture_output=True, text=True)


def test_production_refuses_the_default_secret_key():
    r = _run(ESCALADE_PRODUCTION="1")
    assert r.returncode != 0 and "ESCALADE_SECRET_KEY" in r.stderr


def test_production_refuses_debug():
    r = _run(ESCALADE_PRODUCTION="1", ESCALADE_SECRET_KEY="x" * 50, ESCALADE_DEBUG="1")
    assert r.returncode != 0 and "DEBUG" in r.stderr


def test_production_refuses_to_start_without_seal_keys():
    r = _run(ESCALADE_PRODUCTION="1", ESCALADE_SECRET_KEY="x" * 50)
    assert r.returncode != 0 and "ESCALADE_SEAL_KEYS" in r.stderr


def test_production_with_a_key_starts():
    from cryptography.fernet import Fernet

    r = _run(
        ESCALADE_PRODUCTION="1",
        ESCALADE_SECRET_KEY="x" * 50,
        ESCALADE_SEAL_KEYS=Fernet.generate_key().decode(),
    )
    assert r.returncode == 0, r.stderr
