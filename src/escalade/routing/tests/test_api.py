"""POST /api/route and the catalogue API."""

import pytest
from django.test import Client

from conftest import ROOT
from escalade.accounts.choices import Role
from escalade.accounts.services import create_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def emtl_client(db, make_user):
    from escalade.core.packs import load_pack

    inst = load_pack(ROOT / "packs" / "ciusss-emtl").institution
    user = make_user(Role.LEVEL1_AGENT, [inst], username="emtl-agent")
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}")


def post(client, body, lang="en"):
    return client.post(
        "/api/route", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang
    )


def test_route_returns_the_plan_with_channels_open_now_and_next_opening(emtl_client):
    r = post(
        emtl_client,
        {
            "requester": "patient",
            "need": "technical_problem",
            "subject": "provincial_platform",
            "at": "2026-11-28T10:00:00-05:00",
        },
    )
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["supported"] is True and out["covered"] is True
    step = out["levels"][0]["steps"][1]
    assert step["provider"] == {
        "code": "cssns",
        "name": "Digital health services support centre (CSSNS, MSSS)",
    }
    phone = step["channels"][0]
    assert (phone["kind"], phone["value"], phone["open_now"], phone["urgent_only"]) == (
        "phone",
        "1 833 564-0404",
        False,
        False,
    )
    assert phone["next_open"] == "2026-11-30T07:00:00-05:00"
    assert len(out["reminders"]) == 3


def test_texts_follow_accept_language(emtl_client):
    body = {"requester": "staff", "need": "technical_problem", "subject": "personal_equipment"}
    assert post(emtl_client, body, "fr")["Content-Language"] == "fr-ca"
    fr, en = post(emtl_client, body, "fr").json(), post(emtl_client, body, "en").json()
    assert fr["supported"] is False and fr["notes"] == [
        "Les équipements personnels ne sont pas supportés."
    ]
    assert en["notes"] == ["Personal equipment is not supported."]


def test_unknown_codes_get_422_naming_the_valid_values(emtl_client):
    r = post(emtl_client, {"requester": "staff", "need": "gossip", "subject": "teams"})
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "field": "need",
            "code": "not_one_of",
            "message": "'gossip' is not valid: use one of technical_problem, app_question.",
        }
    ]
    r = post(
        emtl_client,
        {
            "requester": "staff",
            "need": "technical_problem",
            "subject": "teams",
            "at": "2026-11-28T10:00:00",
        },
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "at"


def test_an_uncovered_combination_is_a_clear_answer_not_an_error(emtl_client):
    r = post(
        emtl_client,
        {"requester": "patient", "need": "app_question", "subject": "biomedical_equipment"},
    )
    assert r.status_code == 200
    assert r.json()["covered"] is False and "does not cover" in r.json()["message"]


def test_providers_list_detail_and_search(emtl_client):
    providers = emtl_client.get("/api/providers", HTTP_ACCEPT_LANGUAGE="en").json()["items"]
    assert [p["code"] for p in providers] == [
        "telehealth_team",
        "csi",
        "biomedical_engineering",
        "audiovisual",
        "communications",
        "dsp",
        "cssns",
        "program_service",
    ]
    csi = emtl_client.get("/api/providers/csi", {"at": "2026-11-24T03:00:00-05:00"}).json()
    on_call = next(c for c in csi["channels"] if c["value"] == "514 251-3050")
    assert on_call["open_now"] and on_call["urgent_only"]
    assert "5 jours ouvrables" in " ".join(csi["response_delays"])
    found = emtl_client.get(
        "/api/providers", {"q": "licences Zoom"}, HTTP_ACCEPT_LANGUAGE="fr"
    ).json()["items"]
    assert [p["code"] for p in found] == ["audiovisual"]
    assert found[0]["licences"][0]["lead_months"] == 1
    r = emtl_client.get("/api/providers/nasa")
    assert r.status_code == 404 and "csi" in r.json()["errors"][0]["message"]
