"""A newcomer lands where they can log a call: the demo users' default is an institution
whose pack takes calls, a pick in the header is remembered, and an institution that
cannot take calls says so and links to one that can."""

import os

import pytest
from django.core.management import call_command
from django.test import Client

from conftest import ROOT
from escalade.accounts.models import Membership
from escalade.accounts.services import resolve_institution
from escalade.core.packs import load_pack

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    for pack in ("cusm-telehealth", "ciusss-emtl", "ontario-viewer"):
        load_pack(ROOT / "packs" / pack)
    call_command("create_demo_users", verbosity=0)
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="agent")


def test_demo_users_land_in_an_institution_that_takes_calls(demo):
    assert resolve_institution(demo).code == "cusm"
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(demo)
    html = c.get("/incidents/new/").content.decode()
    assert 'id="intake-form"' in html and "cannot-take-calls" not in html


def test_an_institution_without_rules_says_so_links_to_one_that_can_and_the_pick_is_kept(demo):
    from escalade.core.models import Institution

    bare = Institution.objects.create(
        code="bare", name={"en": "Bare", "fr": "Nu"}, request_prefix="B", ticket_prefix="BT"
    )
    Membership.objects.create(user=demo, institution=bare)
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(demo)
    c.post("/institution/", {"institution": "bare"})
    html = c.get("/incidents/new/").content.decode()
    assert "does not take calls in Escalade" in html and 'id="intake-form"' not in html
    assert 'value="cusm"' in html
    assert Membership.objects.get(user=demo, is_default=True).institution.code == "bare"
    r = c.post("/institution/", {"institution": "cusm", "next": "/incidents/new/"})
    assert r["Location"] == "/incidents/new/"
    again = Client()
    again.force_login(demo)  # a new session: the last pick is where they land
    assert 'id="intake-form"' in again.get("/incidents/new/").content.decode()


@pytest.mark.parametrize(
    "code, symptom, severity, priority",
    [
        ("cusm", "sound_simple", "minor", 4),
        ("cusm", "ritm", "major", 1),
        ("ciusss-emtl", "provincial_platform", "major", 2),
        ("ciusss-emtl", "app_question", "minor", 5),
        ("ontario-viewer", "viewer_access", "minor", 3),
        ("ontario-viewer", "document_not_displayed", "major", 2),
    ],
)
def test_every_shipped_pack_takes_calls_with_a_priority_from_its_matrix(
    demo, code, symptom, severity, priority
):
    from escalade.accounts.services import create_api_token

    c = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(demo)}", HTTP_ACCEPT_LANGUAGE="en")
    body = {
        "institution": code,
        "channel": "web",  # a phone call not resolved on the first call is major in cusm
        "requester": {"name": "Dr Tremblay", "role": "clinician", "site": "Site A"},
        "symptom": symptom,
        "summary": "Cannot work",
    }
    r = c.post("/api/incidents", body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert (r.json()["severity"], r.json()["priority"]) == (severity, priority)
    # the agent's own choice wins over the symptom's rating
    r = c.post(
        "/api/incidents",
        {**body, "impact": "low", "urgency": "low"},
        content_type="application/json",
    )
    assert r.json()["priority"] == 5


def test_the_first_rating_comes_from_the_agent_then_a_live_session_then_the_symptom():
    from escalade.incidents.rules import first_rating

    assert first_rating("low", "high", True, "medium", urgent=True) == "low"
    assert first_rating(None, "low", True, "medium", urgent=True) == "high"
    assert first_rating(None, "low", True, "medium", urgent=False) == "low"
    assert first_rating(None, "", False, "medium", urgent=True) == "medium"


def test_the_ciusss_call_form_asks_the_routing_question_and_ontario_shows_its_desk(demo):
    c = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    c.force_login(demo)
    c.post("/institution/", {"institution": "ciusss-emtl"})
    html = c.get("/incidents/new/").content.decode()
    assert 'id="intake-form"' in html and 'id="routing"' in html
    assert "Plateforme provinciale (PSV, SVMV) ne fonctionne pas (majeur" in html
    assert 'data-group="major"' in html
    c.post("/institution/", {"institution": "ontario-viewer"})
    html = c.get("/incidents/new/").content.decode()
    assert 'id="desk-contact"' in html and "1 866 250-1554" in html


def test_an_ontario_incident_shows_the_provincial_desk(demo):
    from escalade.accounts.services import create_api_token

    c = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(demo)}", HTTP_ACCEPT_LANGUAGE="en")
    body = {
        "institution": "ontario-viewer",
        "requester": {"name": "Dr Singh", "role": "clinician", "site": "Hôpital Nord"},
        "symptom": "viewer_unavailable",
        "summary": "Viewer down",
    }
    number = c.post("/api/incidents", body, content_type="application/json").json()["number"]
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(demo)
    html = page.get(f"/incidents/{number}/").content.decode()
    assert 'id="desk-contact"' in html and "1 866 250-1554" in html


def test_create_demo_users_speaks_one_language(settings):
    import io

    out = io.StringIO()
    load_pack(ROOT / "packs" / "cusm-telehealth")
    call_command("create_demo_users", stdout=out)
    text = out.getvalue()
    assert "utilisateurs de démonstration" in text and "Agent de niveau 1" in text
    assert "demo users" not in text and "administrator" not in text
    settings.LANGUAGE_CODE = "en"
    out = io.StringIO()
    call_command("create_demo_users", stdout=out)
    assert "demo users: 0 created" in out.getvalue() and "Level-1 agent" in out.getvalue()


def test_every_demo_user_signs_in_with_the_demo_password(demo):
    """The demo password is hashed once for all the demo users: each signs in with it,
    none with another."""
    from django.contrib.auth import authenticate

    from escalade.incidents.management.commands.create_demo_users import DEMO_USERS

    password = os.environ.get("ESCALADE_DEMO_PASSWORD", "escalade-demo")
    for username in [u for u, _role in DEMO_USERS] + ["admin", "designee"]:
        assert authenticate(username=username, password=password) is not None, username
        assert authenticate(username=username, password=password + "!") is None, username
