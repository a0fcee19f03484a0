"""A newcomer lands where they can log a call: the demo users' default is an institution
whose pack takes calls, a pick in the header is remembered, and an institution that
cannot take calls says so and links to one that can."""

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
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(demo)
    c.post("/institution/", {"institution": "ciusss-emtl"})
    html = c.get("/incidents/new/").content.decode()
    assert "does not take calls in Escalade" in html and 'id="intake-form"' not in html
    assert 'value="cusm"' in html
    assert Membership.objects.get(user=demo, is_default=True).institution.code == "ciusss-emtl"
    r = c.post("/institution/", {"institution": "cusm", "next": "/incidents/new/"})
    assert r["Location"] == "/incidents/new/"
    again = Client()
    again.force_login(demo)  # a new session: the last pick is where they land
    assert 'id="intake-form"' in again.get("/incidents/new/").content.decode()
