"""Recurring incidents become problems (seed 001, important point 3)."""

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from escalade.core.errors import Conflict
from escalade.core.models import AuditEvent
from escalade.incidents.tests.factories import log
from escalade.problems import services
from escalade.problems.models import Problem

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 10, 1, 14, 0, tzinfo=dt.UTC)


def at(days):
    return time_machine.travel(T0 + dt.timedelta(days=days), tick=False)


def _log(agent, cusm, days, **kw):
    with at(days):
        return log(agent, cusm, **kw)


def test_alike_incidents_are_proposed_and_unrelated_ones_left_alone(cusm, staff):
    agent = staff["level1_agent"]
    ours = [
        _log(
            agent,
            cusm,
            0,
            symptom="codec",
            requester_site="Hôpital de Gatineau",
            summary="Le codec gèle pendant la téléconsultation",
        ),
        _log(
            agent,
            cusm,
            5,
            symptom="codec",
            requester_site="hopital de gatineau",
            summary="Codec gelé en pleine téléconsultation",
        ),
        _log(
            agent,
            cusm,
            12,
            symptom="codec",
            requester_site="Hôpital de Gatineau",
            summary="Téléconsultation: le codec gèle encore",
        ),
    ]
    # same symptom elsewhere, same site but another symptom, same site too late, unlike text
    _log(
        agent,
        cusm,
        3,
        symptom="codec",
        requester_site="Val-d'Or",
        summary="Le codec gèle pendant la téléconsultation",
    )
    _log(
        agent, cusm, 4, symptom="lan", requester_site="Hôpital de Gatineau", summary="Le codec gèle"
    )
    _log(
        agent,
        cusm,
        60,
        symptom="codec",
        requester_site="Hôpital de Gatineau",
        summary="Le codec gèle pendant la téléconsultation",
    )
    _log(
        agent,
        cusm,
        6,
        symptom="codec",
        requester_site="Hôpital de Gatineau",
        summary="Commande de câbles HDMI",
    )
    with at(61):
        proposals = services.detect(cusm, staff["it_technician"])
    assert len(proposals) == 1
    problem = proposals[0]
    assert problem.evidence["incidents"] == [i.number for i in ours]
    assert problem.evidence["shared"]["symptom"] == "codec" and problem.evidence["similarity"] >= 60
    assert problem.assignee == staff["it_technician"] and problem.state == "proposed"
    with at(62):
        assert services.detect(cusm, staff["it_technician"]) == []  # incremental: nothing new


def test_english_descriptions_are_grouped_too(cusm, staff):
    agent = staff["level1_agent"]
    for d, text in enumerate(
        [
            "No sound from the remote site",
            "Remote site has no sound",
            "No sound again from remote site",
        ]
    ):
        _log(agent, cusm, d, symptom="audio_video", requester_site="MGH", summary=text)
    with at(5):
        assert len(services.detect(cusm, staff["it_technician"])) == 1


def test_lifecycle_link_measures_quiet_period_and_close(cusm, staff):
    agent, it = staff["level1_agent"], staff["it_technician"]
    for d in range(3):
        _log(
            agent,
            cusm,
            d,
            symptom="bridge",
            requester_site="RVH",
            summary="Bridge drops the call after 10 minutes",
        )
    with at(3):
        problem = services.detect(cusm, it)[0]
    problem = services.update(it, problem, {"state": "open", "suspected_cause": "bridge firmware"})
    problem = services.update(it, problem, {"workaround": "Dial the bridge's backup number"})
    assert problem.state == "known_error"
    new = _log(
        agent,
        cusm,
        10,
        symptom="bridge",
        requester_site="RVH",
        summary="Bridge drops the call again",
    )
    assert [p.pk for p in services.suggestions(new)] == [problem.pk]
    services.link(agent, problem, new)  # the agent accepts the suggestion in one click
    with pytest.raises(Conflict):
        services.close(it, problem, now=T0 + dt.timedelta(days=50))  # no measure yet
    measure = services.add_measure(
        it, problem, "Upgrade the bridge firmware", owner=it, due=dt.date(2026, 11, 1)
    )
    services.complete_measure(it, measure)
    with pytest.raises(Conflict):
        services.close(it, problem, now=T0 + dt.timedelta(days=20))  # a link 10 days ago
    problem = services.close(it, problem, now=T0 + dt.timedelta(days=41))
    assert problem.state == "closed"
    actions = list(
        AuditEvent.objects.for_object("problem", problem.pk).values_list("action", flat=True)
    )
    assert actions[0] == "created" and actions[-1] == "closed"


def test_merge_moves_incidents_and_is_audited(cusm, staff):
    agent, it = staff["level1_agent"], staff["it_technician"]
    for d in range(3):
        _log(agent, cusm, d, symptom="wan", requester_site="A", summary="WAN link down to site A")
    for d in range(3):
        _log(agent, cusm, d, symptom="wan", requester_site="B", summary="WAN link down to site B")
    with at(4):
        first, second = services.detect(cusm, it)
    target = services.merge(it, second, first)
    second.refresh_from_db()
    assert second.state == "merged" and second.merged_into == target
    assert target.links.count() == 6


def test_the_api(api, cusm, staff):
    agent = staff["level1_agent"]
    for d in range(3):
        _log(
            agent,
            cusm,
            d,
            symptom="packet_loss",
            requester_site="HGM",
            summary="Packet loss on the RITM link",
        )
    it = api("it_technician")
    with at(4):
        found = it.post("/api/problems/detect", {}).json()
    assert len(found) == 1 and found[0]["state"] == "proposed"
    pid = found[0]["id"]
    r = it.client.patch(
        f"/api/problems/{pid}",
        {
            "state": "open",
            "confirmed_cause": "router queue",
            "add_measures": [{"text": "Replace the router", "done": True}],
        },
        content_type="application/json",
    )
    assert (
        r.status_code == 200
        and r.json()["state"] == "open"
        and r.json()["measures"][0]["state"] == "done"
    )
    assert len(it.get("/api/problems", state="open").json()["items"]) == 1
    assert api("level1_agent").post("/api/problems/detect", {}).status_code == 403
    assert Problem.objects.count() == 1


def test_the_incident_page_offers_the_matching_problem_in_one_click(client, cusm, staff):
    agent, it = staff["level1_agent"], staff["it_technician"]
    for d in range(3):
        _log(
            agent,
            cusm,
            d,
            symptom="bridge",
            requester_site="RVH",
            summary="Bridge drops the call after 10 minutes",
        )
    with at(3):
        problem = services.detect(cusm, it)[0]
    services.update(it, problem, {"workaround": "Dial the bridge's backup number"})
    new = _log(
        agent, cusm, 5, symptom="bridge", requester_site="RVH", summary="Bridge drops the call"
    )
    client.force_login(agent)
    client.cookies["django_language"] = "en"
    html = client.get(f"/incidents/{new.number}/").content.decode()
    assert (
        "Dial the bridge&#x27;s backup number" in html
        and f"/problems/{problem.pk}/link/{new.number}/" in html
    )
    client.post(f"/problems/{problem.pk}/link/{new.number}/")
    assert problem.links.filter(incident=new).exists()
    html = client.get("/problems/").content.decode()
    with translation.override("en"):  # the title detection wrote, read in English
        assert problem.label in html


def test_a_problem_opened_by_hand_through_the_api(api, cusm, staff):
    number = log(staff["level1_agent"], cusm, symptom="codec").number
    it = api("it_technician")
    r = it.post("/api/problems", {"title": "Codecs of wing B", "incidents": [number]})
    assert (
        r.status_code == 201 and r.json()["incidents"] == [number] and r.json()["state"] == "open"
    )
    r = it.post("/api/problems", {"title": " ", "incidents": []})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "title"
    assert (
        it.post("/api/problems", {"title": "x", "incidents": ["CCT-1999-000001"]}).status_code
        == 404
    )
    assert Problem.objects.count() == 1
