"""What belongs to one institution stays there (issue 24): a Pau imaging broadcast is for
Pau's pages only and never above the number a Montréal agent reads back; one runbook
cannot run twice at once; the CAP documents speak the institution's language; the kiosk
and the print buttons work under the Content-Security-Policy."""

import re

import pytest
from django.test import Client

from conftest import ROOT
from escalade.runbooks import services
from escalade.runbooks.models import Broadcast, Outage

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(db, make_user):
    from escalade.core.packs import load_pack

    cusm = load_pack(ROOT / "packs" / "cusm-telehealth").institution
    pau = load_pack(ROOT / "packs" / "ch-pau-imaging").institution
    user = make_user("it_technician", [cusm, pau], username="both")
    from escalade.accounts.services import set_roles

    set_roles(user, ["it_technician", "level1_agent"])
    return cusm, pau, user


def _client(user, inst=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    if inst is not None:
        assert client.post("/institution/", {"institution": inst.code}).status_code == 302
    return client


def test_a_broadcast_shows_only_on_its_institutions_pages(two, body):
    cusm, pau, user = two
    services.activate(user, pau, "case4_ris_pacs")
    montreal = _client(user, cusm)
    assert 'id="broadcast-banner"' not in montreal.get("/notices/").content.decode()
    assert 'id="broadcast-banner"' not in montreal.get("/incidents/new/").content.decode()
    pau_page = _client(user, pau).get("/notices/").content.decode()
    assert 'id="broadcast-banner"' in pau_page and "RIS" in pau_page


def test_the_number_read_back_comes_before_any_banner(two):
    cusm, pau, user = two
    outage = services.activate(user, pau, "case4_ris_pacs")
    page = _client(user, pau).get(f"/incidents/{outage.incident.number}/").content.decode()
    assert page.index(outage.incident.number, page.index('id="main"')) < page.index(
        'id="broadcast-banner"'
    )


def test_the_same_runbook_twice_answers_409_naming_the_outage_in_progress(two):
    cusm, pau, user = two
    first = services.activate(user, pau, "case4_ris_pacs")
    from escalade.accounts.services import create_api_token

    token = create_api_token(user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")
    r = api.post(
        "/api/outages",
        {"institution": pau.code, "runbook": "case4_ris_pacs"},
        content_type="application/json",
    )
    assert r.status_code == 409
    error = r.json()["errors"][0]
    assert error["code"] == "already_running" and error["field"] == "runbook"
    assert f"#{first.pk}" in error["message"] and first.incident.number in error["message"]
    page = _client(user, pau).post("/runbooks/case4_ris_pacs/", {"note": "again"})
    assert page.status_code == 409
    html = page.content.decode()
    assert f'href="/outages/{first.pk}/"' in html and "Open the outage in progress" in html
    assert Outage.objects.count() == 1
    assert Broadcast.objects.filter(outage=first).count() == Broadcast.objects.count()
    # another runbook may run beside it, and the same one again once it is closed
    services.activate(user, pau, "case3_pacs")
    assert Outage.objects.count() == 2


def test_cap_documents_carry_the_institutions_language_tag(two):
    from escalade.core.models import Institution

    cusm, pau, user = two
    assert pau.language_tag("fr") == "fr-FR" and cusm.language_tag("fr") == "fr-CA"
    assert cusm.language_tag("en") == "en-CA"
    assert Institution(holiday_country="FR").language_tag("en") == "en"


def test_the_kiosk_and_print_buttons_need_nothing_inline(two):
    cusm, pau, user = two
    services.activate(user, pau, "case4_ris_pacs")
    kiosk = Client().get("/display/", {"group": "imaging"}).content.decode()
    assert "<style" not in kiosk and "escalade/display.css" in kiosk
    page = _client(user, pau).get("/runbooks/case4_ris_pacs/").content.decode()
    assert not re.search(r"\son[a-z]+=", page) and "data-print" in page


def test_an_action_with_only_optional_fields_takes_no_body(two):
    """POST /api/outages/{id}/restore without a body restores; a body-less call to an
    action with required fields names each field."""
    cusm, pau, user = two
    from escalade.accounts.services import create_api_token

    outage = services.activate(user, pau, "case4_ris_pacs")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE="en")
    r = api.post(f"/api/outages/{outage.pk}/restore")
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "restoring"
    r = api.post(f"/api/outages/{outage.pk}/vendor-refs")
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} >= {"vendor", "reference"}
