"""Fixtures shared by every test: the demo pack loaded, one user per role, API clients."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
CUSM_PACK = ROOT / "packs" / "cusm-telehealth"


@pytest.fixture
def cusm(db):
    from escalade.core.packs import load_pack

    return load_pack(CUSM_PACK).institution


@pytest.fixture
def ontario(db):
    """The provincial viewer's desk (seed 002): organisations, contacts, Sunday window."""
    from escalade.core.packs import load_pack

    return load_pack(ROOT / "packs" / "ontario-viewer").institution


@pytest.fixture
def desk(ontario, make_user):
    """Users of the ontario-viewer desk by role, each with an e-mail address."""
    return {
        role: make_user(role, [ontario], username=f"on-{role}", email=f"{role}@desk.example.org")
        for role in ("level2_analyst", "level1_agent", "manager", "requester", "it_technician")
    }


@pytest.fixture
def make_user(db):
    from escalade.accounts.services import create_user

    counter = {"n": 0}

    def make(role, institutions, username=None, **fields):
        counter["n"] += 1
        name = username or f"{role}-{counter['n']}"
        return create_user(
            name, password="pw-Escalade-1", roles=[role], institutions=institutions, **fields
        )

    return make


@pytest.fixture
def staff(cusm, make_user):
    """One user of each role in the cusm institution, by role code."""
    from escalade.accounts.choices import Role

    return {role.value: make_user(role.value, [cusm], username=role.value) for role in Role}


@pytest.fixture
def team(cusm, make_user):
    """One user of each role in the cusm institution, each with an e-mail address
    (role@cct.example.org), named t-<role>: for what people are told."""
    from escalade.accounts.choices import Role

    return {
        role: make_user(role, [cusm], username=f"t-{role}", email=f"{role}@cct.example.org")
        for role in Role.values
    }


@pytest.fixture
def api(staff):
    """A JSON client authenticated with a bearer token: api('level1_agent').post(...)."""
    from django.test import Client

    from escalade.accounts.services import create_api_token

    class Api:
        def __init__(self, user):
            self.client = Client(
                HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE="en"
            )

        def get(self, path, **params):
            return self.client.get(path, params)

        def post(self, path, body=None, **extra):
            return self.client.post(path, body or {}, content_type="application/json", **extra)

    return lambda role: Api(staff[role])


def incident_body(**overrides):
    body = {
        "channel": "phone",
        "requester": {
            "name": "Dre Gagnon",
            "role": "clinician",
            "site": "Hôpital de Montréal pour enfants",
            "phone": "514-412-4400 poste 23456",
        },
        "symptom": "sound_simple",
        "summary": "No sound at the remote site",
        "description": "The mute key was on.",
        "resolved_on_first_call": False,
    }
    body.update(overrides)
    return body


@pytest.fixture
def body():
    return incident_body


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing with PBKDF2 costs ~0.3 s a user: tests use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def both_sql(settings):
    """Run a call through an app's hand-written SQL, then through its ORM twin
    (ESCALADE_RAW_SQL=0): both_sql(call) -> (raw answer, ORM answer)."""

    def run(call):
        settings.ESCALADE_RAW_SQL = True
        raw = call()
        settings.ESCALADE_RAW_SQL = False
        try:
            return raw, call()
        finally:
            settings.ESCALADE_RAW_SQL = True

    return run
