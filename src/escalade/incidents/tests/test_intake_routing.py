"""Intake offers the routing chart's plan and keeps it on the incident (seed 003)."""

import shutil

import pytest
from django.test import Client

from conftest import CUSM_PACK, ROOT
from escalade.accounts.choices import Role
from escalade.accounts.services import create_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(tmp_path, make_user):
    """An institution with incident rules and a chart: the cusm pack plus seed 003's."""
    from escalade.core.packs import load_pack

    pack = tmp_path / "pack"
    shutil.copytree(CUSM_PACK, pack)
    for name in ("catalog.yaml", "chart.yaml"):
        shutil.copy(ROOT / "packs" / "ciusss-emtl" / name, pack / name)
    inst = load_pack(pack).institution
    return inst, make_user(Role.LEVEL1_AGENT, [inst], username="both-agent")


def test_the_api_keeps_the_plan_on_the_incident(both, body):
    inst, agent = both
    c = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(agent)}", HTTP_ACCEPT_LANGUAGE="en")
    payload = body(route={"need": "technical_problem", "subject": "provincial_platform"})
    payload["requester"]["role"] = "patient"
    r = c.post("/api/incidents", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    plan = r.json()["route_plan"]
    assert plan["question"]["requester"]["code"] == "patient"
    assert plan["levels"][1]["steps"][0]["provider"]["code"] == "cssns"
    detail = c.get(f"/api/incidents/{r.json()['number']}").json()
    assert detail["route_plan"] == plan


def test_bad_routing_codes_are_reported_with_the_other_errors(both, body):
    inst, agent = both
    c = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(agent)}", HTTP_ACCEPT_LANGUAGE="en")
    r = c.post(
        "/api/incidents",
        body(symptom="nope", route={"need": "technical_problem", "subject": "fax"}),
        content_type="application/json",
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"symptom", "route.subject"}


def test_the_intake_form_previews_and_stores_the_plan(both, client):
    inst, agent = both
    client.force_login(agent)
    client.cookies["django_language"] = "en"
    html = client.get("/incidents/new/").content.decode()
    assert 'id="routing"' in html and 'name="subject"' in html
    preview = client.get(
        "/help/preview/",
        {"requester_role": "clinician", "need": "technical_problem", "subject": "org_equipment"},
    ).content.decode()
    assert "514 251-4000" in preview and "<html" not in preview
    r = client.post(
        "/incidents/new/",
        {
            "requester_name": "Dr Roy",
            "requester_role": "clinician",
            "requester_site": "HMR",
            "requester_phone": "",
            "symptom": "pc_simple",
            "summary": "Tablet frozen",
            "impact": "medium",
            "urgency": "medium",
            "channel": "phone",
            "need": "technical_problem",
            "subject": "org_equipment",
        },
        follow=True,
    )
    html = r.content.decode()
    assert 'id="route-plan"' in html and "514 251-4000" in html


def test_an_institution_without_a_chart_shows_no_routing_fields(client, staff):
    client.force_login(staff["level1_agent"])
    assert 'id="routing"' not in client.get("/incidents/new/").content.decode()
