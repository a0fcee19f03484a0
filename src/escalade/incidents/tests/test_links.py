"""Many calls, one incident in progress: calls attached to the major incident, resolved
with it (each requester told in their language), detached, and incidents merged."""

import re

import pytest

from escalade.core.errors import Conflict, Invalid
from escalade.core.models import AuditEvent
from escalade.incidents import rules, selectors, services
from escalade.incidents.models import Incident, Note, Ticket
from escalade.notifications.models import OutgoingMail
from escalade.oncall.models import Clock, Paging

from .factories import log

pytestmark = pytest.mark.django_db

GLEN = "Hôpital Royal Victoria"


@pytest.fixture
def bridge(cusm, staff):
    """The bridge is down: the first call, major, with its ticket and its paging."""
    return log(staff["level1_agent"], cusm, channel="phone", symptom="bridge", requester_site=GLEN)


def test_the_matching_rule_reads_sites_as_agents_type_them():
    assert rules.same_site("Hôpital Royal Victoria", "hopital royal-victoria")
    assert rules.same_site("Glen", "CUSM Glen, 3e étage")
    assert not rules.same_site("Glen", "Lachine")
    assert not rules.same_site("", "Lachine")
    match = dict(site="Glen", symptom="bridge", outage=False)
    assert rules.known_match(**match, call_site="glen", call_symptom="bridge") == "both"
    assert rules.known_match(**match, call_site="Glen", call_symptom="codec") == "site"
    assert rules.known_match(**match, call_site="Lachine", call_symptom="bridge") == "symptom"
    assert rules.known_match(**match, call_site="Lachine", call_symptom="codec") is None
    outage = {**match, "outage": True}
    assert rules.known_match(**outage, call_site="Lachine", call_symptom="") == "outage"


def test_the_call_form_offers_the_major_incident_of_the_same_site_or_symptom(cusm, staff, bridge):
    log(staff["level1_agent"], cusm, symptom="pc_simple", requester_site=GLEN)  # minor
    found = selectors.known_in_progress(cusm, site="hopital royal victoria", symptom="codec")
    assert [(k["incident"].number, k["match"]) for k in found] == [(bridge.number, "site")]
    found = selectors.known_in_progress(cusm, site="Lachine", symptom="bridge")
    assert [k["match"] for k in found] == ["symptom"]
    assert selectors.known_in_progress(cusm, site="Lachine", symptom="codec") == []
    services.resolve(staff["level2_analyst"], bridge, "The bridge was restarted.")
    assert selectors.known_in_progress(cusm, site=GLEN, symptom="bridge") == []


def test_an_attached_call_keeps_its_number_and_has_no_ticket_clock_or_paging(cusm, staff, bridge):
    pagings = Paging.objects.count()
    call = log(
        staff["level1_agent"],
        cusm,
        channel="phone",
        symptom="bridge",
        requester_site="Lachine",
        attach_to=bridge.number.lower(),
    )
    call.refresh_from_db()
    assert call.number != bridge.number and call.parent == bridge
    assert call.severity == "major"  # its symptom's, but counted as an attached call
    assert not Ticket.objects.filter(incident=call).exists()
    assert not Clock.objects.filter(incident=call).exists()
    assert not call.assignments.exists()
    assert Paging.objects.count() == pagings
    assert AuditEvent.objects.filter(object_id=str(call.pk), action="attached").exists()
    # the queues show the parent, not its forty calls; the wallboard counts them
    queue = selectors.team_queue(staff["level1_agent"], cusm)
    assert call not in queue
    majors = selectors.open_majors(cusm)
    assert majors["total"] == 1 and majors["attached"] == 1
    assert majors["oldest"][0]["incident"].calls == 1


def test_a_call_is_attached_only_to_a_major_incident_in_progress(cusm, staff, bridge):
    minor = log(staff["level1_agent"], cusm, symptom="pc_simple")
    for number in (minor.number, "CCT-1999-000001"):
        with pytest.raises(Invalid) as err:
            log(staff["level1_agent"], cusm, attach_to=number, requester_phone="oops")
        fields = {e["field"] for e in err.value.as_errors()}
        assert fields == {"attach_to", "requester.phone"}  # every error at once
    assert Incident.objects.count() == 2  # nothing written


def test_resolving_the_parent_resolves_its_calls_and_tells_each_requester(cusm, staff, bridge):
    by_mail = log(
        staff["level1_agent"],
        cusm,
        channel="phone",
        symptom="bridge",
        requester_email="dre.roy@example.org",
        requester_language="fr",
        attach_to=bridge.number,
    )
    by_phone = log(
        staff["level1_agent"],
        cusm,
        channel="phone",
        symptom="bridge",
        requester_language="en",
        attach_to=bridge.number,
    )
    services.resolve(staff["level2_analyst"], bridge, "The bridge was restarted at 10:02.")
    by_mail.refresh_from_db()
    by_phone.refresh_from_db()
    assert by_mail.status == by_phone.status == "resolved"
    assert bridge.number in by_mail.resolution and "10:02" in by_mail.resolution
    mail = OutgoingMail.objects.get(to=["dre.roy@example.org"])
    assert "Votre demande" in mail.body and bridge.number in mail.body
    assert by_mail.number in mail.subject
    assert by_mail.told_at is not None
    # the caller without e-mail waits on the parent's page for the desk to call back
    assert services.to_call_back(bridge) == [by_phone]
    services.called_back(staff["level1_agent"], by_phone)
    assert services.to_call_back(bridge) == []
    told = AuditEvent.objects.get(object_id=str(by_phone.pk), action="requester_told")
    assert told.data == {"by": "phone", "language": "en"}
    with pytest.raises(Conflict):
        services.called_back(staff["level1_agent"], by_phone)


def test_a_detached_call_stands_on_its_own_with_its_ticket_and_clocks(cusm, staff, bridge):
    call = log(
        staff["level1_agent"], cusm, channel="phone", symptom="codec", attach_to=bridge.number
    )
    with pytest.raises(Invalid):
        services.detach(staff["level1_agent"], call, "  ")
    services.detach(staff["level1_agent"], call, "Its codec, not the bridge.")
    call.refresh_from_db()
    assert call.parent is None
    assert Ticket.objects.filter(incident=call).exists()
    assert Clock.objects.filter(incident=call).exists()
    assert call.assignments.filter(active=True).exists()
    with pytest.raises(Conflict):
        services.detach(staff["level1_agent"], call, "again")
    # attached after the fact: its clocks wait on the parent's
    services.attach(staff["level1_agent"], call, bridge.number)
    assert set(Clock.objects.filter(incident=call).values_list("state", flat=True)) <= {
        "paused",
        "met",
    }


def test_two_incidents_for_one_thing_merge_with_their_notes_and_calls(cusm, staff, bridge):
    twin = log(staff["level1_agent"], cusm, channel="phone", symptom="bridge")
    call = log(staff["level1_agent"], cusm, symptom="bridge", attach_to=twin.number)
    services.add_note(staff["level2_analyst"], twin, "The bridge's status page is red.")
    kept = services.merge(staff["level2_analyst"], twin, bridge.number)
    assert kept == bridge
    twin.refresh_from_db()
    call.refresh_from_db()
    assert twin.merged_into == bridge and twin.status == "closed"
    assert call.parent == bridge
    assert Note.objects.filter(incident=bridge, text__contains="status page").exists()
    actions = [ev.action for ev in selectors.timeline(bridge)]
    assert "note_added" in actions and "incident_merged" in actions
    assert actions.count("created") == 2  # the merged incident's own events read here too
    with pytest.raises(Conflict):
        services.merge(staff["level2_analyst"], twin, bridge.number)
    with pytest.raises(Invalid):
        services.merge(staff["level2_analyst"], bridge, twin.number)


# -- the API ----------------------------------------------------------------------


def test_the_api_lists_known_incidents_attaches_detaches_and_merges(api, body, staff):
    agent, analyst = api("level1_agent"), api("level2_analyst")
    site = "Hôpital de Montréal pour enfants"
    parent = agent.post("/api/incidents", body(symptom="bridge")).json()
    known = agent.get("/api/incidents/known", site="hopital de montreal pour enfants").json()
    known = known["items"]
    assert [(k["number"], k["match"], k["attached_calls"]) for k in known] == [
        (parent["number"], "site", 0)
    ]
    r = agent.post(
        "/api/incidents",
        body(
            symptom="bridge",
            attach_to=parent["number"],
            requester={"name": "M. Tremblay", "role": "staff", "site": site, "language": "fr"},
        ),
    )
    assert r.status_code == 201, r.content
    call = r.json()
    assert (call["parent"], call["ticket"], call["requester"]["language"]) == (
        parent["number"],
        None,
        "fr",
    )
    detail = agent.get(f"/api/incidents/{parent['number']}").json()
    assert [c["number"] for c in detail["attached_calls"]] == [call["number"]]
    assert agent.get("/api/incidents/known", site=site).json()["items"][0]["attached_calls"] == 1

    bad = agent.post("/api/incidents", body(attach_to="CCT-1999-000009"))
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["attach_to"]
    no_reason = agent.post(f"/api/incidents/{call['number']}/detach", {"reason": ""})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    out = agent.post(f"/api/incidents/{call['number']}/detach", {"reason": "Its codec."}).json()
    assert out["parent"] is None and out["ticket"] is not None
    out = agent.post(f"/api/incidents/{call['number']}/attach", {"parent": parent["number"]})
    assert out.json()["parent"] == parent["number"]

    twin = agent.post("/api/incidents", body(symptom="bridge")).json()
    refused = api("requester").post(
        f"/api/incidents/{twin['number']}/merge", {"into": parent["number"]}
    )
    assert refused.status_code in (403, 404)
    kept = analyst.post(f"/api/incidents/{twin['number']}/merge", {"into": parent["number"]})
    assert kept.status_code == 200 and kept.json()["number"] == parent["number"]
    # the merged number answers with its pointer, by the API and the search box
    merged = agent.get(f"/api/incidents/{twin['number']}").json()
    assert (merged["merged_into"], merged["status"]) == (parent["number"], "closed")
    found = agent.get("/api/incidents", q=twin["number"]).json()["items"]
    assert [(i["number"], i["merged_into"]) for i in found] == [(twin["number"], parent["number"])]


# -- the pages ----------------------------------------------------------------------


CALL = {
    "requester_name": "Dre Roy",
    "requester_role": "clinician",
    "requester_site": "Lachine",
    "requester_phone": "514 934 1934",
    "symptom": "bridge",
    "summary": "Bridge down",
    "channel": "phone",
    "requester_language": "fr",
}


def test_the_pages_offer_attach_show_the_calls_call_back_and_point_to_the_merge(
    client, cusm, staff, bridge
):
    client.force_login(staff["level1_agent"])
    client.cookies["django_language"] = "fr-ca"
    panel = client.get("/incidents/new/known/", {"requester_site": "", "symptom": "bridge"})
    html = panel.content.decode()
    assert "Incident connu en cours" in html and bridge.number in html
    assert 'name="attach_to"' in html and 'data-shortcut="j"' in html
    none = client.get("/incidents/new/known/", {"requester_site": "Ailleurs", "symptom": ""})
    assert "Aucun pour ce site ou ce symptôme" in none.content.decode()

    # the button saves the call attached; a bad number is shown in place, nothing written
    bad = client.post("/incidents/new/", {**CALL, "attach_to": "CCT-1999-000001"})
    assert bad.status_code == 422 and 'id="attach-errors"' in bad.content.decode()
    assert Incident.objects.count() == 1
    saved = client.post("/incidents/new/", {**CALL, "attach_to": bridge.number}, follow=True)
    call = Incident.objects.get(parent=bridge)
    page = saved.content.decode()
    assert call.number in page and 'id="attached-banner"' in page  # read back its own number

    services.resolve(staff["level2_analyst"], bridge, "Pont redémarré.")
    page = client.get(f"/incidents/{bridge.number}/").content.decode()
    assert "Appels rattachés" in page and f"called-back-{call.number}" in page
    after = client.post(f"/incidents/{call.number}/called_back/", follow=True)
    assert after.redirect_chain[-1][0].endswith(f"/incidents/{bridge.number}/")
    assert f"called-back-{call.number}" not in after.content.decode()

    twin = log(staff["level1_agent"], cusm, channel="phone", symptom="codec")
    client.post(f"/incidents/{twin.number}/merge/", {"into": call.number})  # not a parent
    merged = client.post(f"/incidents/{twin.number}/merge/", {"into": bridge.number}, follow=True)
    assert merged.redirect_chain[-1][0].endswith(f"/incidents/{bridge.number}/")
    pointer = client.get(f"/search/?q={twin.number}", follow=True).content.decode()
    assert 'id="merged-banner"' in pointer and bridge.number in pointer


def test_the_statistics_count_attached_calls_apart_from_major_incidents(cusm, staff, bridge):
    import datetime as dt

    from django.utils import timezone

    from escalade.reports import stats

    for _ in range(3):
        log(staff["level1_agent"], cusm, symptom="bridge", attach_to=bridge.number)
    today = timezone.now().astimezone(cusm.zone).date()
    fig = stats.figures(cusm, stats.Range(today - dt.timedelta(days=1), today, ""))
    assert (fig["major"], fig["attached_calls"], fig["total"]) == (1, 3, 4)
    bridge_row = next(r for r in fig["by_category"] if r["code"] == "bridge")
    assert (bridge_row["major"], bridge_row["attached"]) == (1, 3)


def test_the_wallboard_counts_the_attached_calls(client, cusm, staff, bridge):
    for _ in range(2):
        log(staff["level1_agent"], cusm, symptom="bridge", attach_to=bridge.number)
    client.force_login(staff["level2_analyst"])
    client.cookies["django_language"] = "fr-ca"
    html = client.get("/wallboard/").content.decode()
    assert re.search(r'id="wb-attached">Appels rattachés : <strong>2</strong>', html), html
    assert "<span>Niveau 1\u00a0: <strong>1</strong></span>" in html  # French spacing too
    assert "2 appels" in html
