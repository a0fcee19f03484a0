"""What is generated from the code and committed stays true to it: the OpenAPI schema,
the migrations, and the documentation site (built strictly: a broken link or a page
left out of the navigation fails). They run as tests, in both passes and spread over
the workers, instead of three more processes before the suite."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from conftest import ROOT


def test_the_committed_openapi_schema_is_the_api_s():
    out = io.StringIO()
    call_command("export_openapi", stdout=out)
    committed = (ROOT / "openapi" / "schema.json").read_text()
    assert json.loads(out.getvalue()) == json.loads(committed), (
        "openapi/schema.json is stale: run 'make schema'"
    )
    assert out.getvalue().strip() == committed.strip(), "run 'make schema' (its layout)"


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"a model changed without its migration (makemigrations):\n{out.getvalue()}")


def test_the_documentation_site_builds_strictly(tmp_path):
    mkdocs = Path(sys.executable).parent / "mkdocs"
    done = subprocess.run(
        [str(mkdocs), "build", "--strict", "--quiet", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "index.html").exists()
