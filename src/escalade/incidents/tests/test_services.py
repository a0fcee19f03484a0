"""Intake, classification side effects, levels, lifecycle: through the services."""

import datetime as dt

import pytest
from django.utils import timezone

from escalade.core.errors import Conflict, Forbidden, Invalid
from escalade.core.models import AuditEvent
from escalade.incidents import selectors, services
from escalade.incidents.models import Incident, TechnicalSheetEntry, Ticket

from .factories import log

pytestmark = pytest.mark.django_db


def test_a_minor_call_gets_a_number_a_sheet_entry_and_no_ticket(cusm, staff):
    given = log(staff["level1_agent"], cusm, symptom="pc_simple", session_ref="TS-1234")
    year = timezone.now().astimezone(cusm.zone).year
    assert given.number == f"CCT-{year}-000001"
    assert given.severity == "minor"
    assert given.classification_rule == "held_at_level_1"
    assert not Ticket.objects.filter(incident=given).exists()
    assert TechnicalSheetEntry.objects.get(incident=given).session_ref == "TS-1234"
    roles = {a["role"]: a["user"] for a in selectors.active_assignees(given)}
    assert roles == {
        "telehealth_technician": "telehealth_technician",
        "event_coordinator": "event_coordinator",
    }


def test_a_major_call_opens_a_c2_ticket_for_the_chief_and_it_technicians(cusm, staff):
    incident = log(staff["level1_agent"], cusm, symptom="codec")
    assert incident.severity == "major"
    assert incident.ticket.number.startswith("C2-")
    assert incident.ticket.number.endswith("-000001")
    roles = {a["role"] for a in selectors.active_assignees(incident)}
    assert roles == {"chief_telehealth_technician", "it_technician"}


def test_numbers_follow_each_other_without_gaps(cusm, staff):
    numbers = [log(staff["level1_agent"], cusm).number for _ in range(3)]
    assert [n[-6:] for n in numbers] == ["000001", "000002", "000003"]


def test_a_failed_intake_writes_nothing_and_gives_its_number_back(cusm, staff):
    with pytest.raises(Invalid) as err:
        log(staff["level1_agent"], cusm, symptom="nope", requester_phone="123")
    errors = {e["field"]: e for e in err.value.as_errors()}
    assert set(errors) == {"symptom", "requester.phone"}
    assert "sound_simple" in errors["symptom"]["message"]
    assert errors["symptom"]["code"] == "unknown_symptom"
    assert errors["requester.phone"]["code"] == "invalid_phone"
    assert (
        Incident.objects.count() == 0
        and AuditEvent.objects.filter(object_type="incident").count() == 0
    )
    assert log(staff["level1_agent"], cusm).number.endswith("-000001")


def test_phone_numbers_are_stored_e164_with_their_extension(cusm, staff):
    incident = log(staff["level1_agent"], cusm, requester_phone="(514) 934-1934 poste 36000")
    assert (incident.requester_phone, incident.requester_phone_ext) == ("+15149341934", "36000")


def test_resolved_on_the_first_call_is_minor_and_resolved(cusm, staff):
    incident = log(staff["level1_agent"], cusm, resolved_on_first_call=True)
    assert (incident.severity, incident.status) == ("minor", "resolved")
    assert incident.resolved_at is not None


def test_escalation_to_level_2_makes_it_major_and_opens_the_ticket(cusm, staff):
    incident = log(staff["level1_agent"], cusm, symptom="sound_simple")
    incident = services.escalate(
        staff["level1_agent"], incident, to_level=2, reason="still no sound"
    )
    assert (incident.level, incident.severity, incident.status) == (2, "major", "in_progress")
    assert incident.classification_rule == "not_resolved_at_level_1"
    assert Ticket.objects.filter(incident=incident).count() == 1
    actions = list(selectors.timeline(incident).values_list("action", flat=True))
    assert actions.count("escalated") == 1 and actions.count("ticket_opened") == 1
    assert actions.index("escalated") < actions.index("ticket_opened")


def test_level_3_records_the_external_partners_with_their_references(cusm, staff):
    incident = log(staff["level1_agent"], cusm, symptom="ritm")
    incident = services.escalate(staff["level1_agent"], incident, to_level=2, reason="RITM checks")
    incident = services.escalate(
        staff["level2_analyst"],
        incident,
        to_level=3,
        reason="general failure",
        partner="SOGIQUE",
        partner_kind="network_operator",
        external_ref="SQ-889",
    )
    incident = services.escalate(
        staff["level3_coordinator"],
        incident,
        to_level=3,
        reason="codec replacement",
        partner="Bell",
        partner_kind="supplier",
        external_ref="B-12",
    )
    partners = list(incident.escalations.filter(to_level=3).values_list("partner", "external_ref"))
    assert partners == [("SOGIQUE", "SQ-889"), ("Bell", "B-12")]
    assert Ticket.objects.filter(incident=incident).count() == 1


def test_escalation_needs_a_reason_and_an_upward_move(cusm, staff):
    incident = log(staff["level1_agent"], cusm)
    with pytest.raises(Invalid) as err:
        services.escalate(staff["level1_agent"], incident, to_level=2, reason=" ")
    assert err.value.field == "reason"
    with pytest.raises(Conflict):
        services.escalate(staff["level1_agent"], incident, to_level=1, reason="why not")
    with pytest.raises(Invalid):  # a partner's reference is recorded from level 2
        services.escalate(staff["level1_agent"], incident, to_level=1, reason="x", partner="Bell")
    moved = services.escalate(
        staff["level1_agent"], incident, to_level=2, reason="x", partner="Provincial desk"
    )
    assert moved.level == 2  # seed 002: level 2 records the provincial desk's ticket


def test_lifecycle_new_in_progress_resolved_closed_and_reopen(cusm, staff):
    agent = staff["level1_agent"]
    incident = log(agent, cusm)
    incident = services.start(agent, incident)
    assert incident.status == "in_progress"
    with pytest.raises(Conflict):
        services.close(agent, incident)
    incident = services.resolve(agent, incident, "")  # a minor may close without text
    incident = services.close(agent, incident)
    assert incident.status == "closed" and incident.closed_at
    with pytest.raises(Invalid):
        services.reopen(agent, incident, "")
    incident = services.reopen(agent, incident, "the sound dropped again")
    assert (incident.status, incident.closed_at, incident.resolved_at) == (
        "in_progress",
        None,
        None,
    )


def test_a_major_needs_a_resolution_text(cusm, staff):
    incident = log(staff["level1_agent"], cusm, symptom="bridge")
    with pytest.raises(Invalid) as err:
        services.resolve(staff["level1_agent"], incident, "  ")
    assert err.value.field == "resolution"
    incident = services.resolve(
        staff["level1_agent"], incident, "Bridge port reset by the national bridge."
    )
    with pytest.raises(
        Conflict
    ) as err:  # the major-incident report comes first (seed 000, point 4)
        services.close(staff["chief_telehealth_technician"], incident)
    assert err.value.field == "report"
    # named as the report page names them, in the user's language (no field codes)
    message = str(err.value.message)
    assert "clinical_repercussions" not in message
    assert "répercussions cliniques" in message or "clinical repercussions" in message
    from escalade.reports import services as reports

    reports.update(
        staff["chief_telehealth_technician"],
        incident.major_report,
        {
            "cause": "Bridge port stuck",
            "organisational_repercussions": "1 hour of delay",
            "clinical_repercussions": "None",
            "distribution": ["cct@example.org"],
        },
    )
    assert services.close(staff["chief_telehealth_technician"], incident).status == "closed"


def test_reclassification_needs_a_reason_a_permitted_role_and_is_audited(cusm, staff):
    incident = log(staff["level1_agent"], cusm, symptom="sound_simple")
    with pytest.raises(Forbidden):
        services.reclassify(staff["level1_agent"], incident, "major", "codec after all")
    with pytest.raises(Invalid):
        services.reclassify(staff["level2_analyst"], incident, "major", "")
    incident = services.reclassify(staff["level2_analyst"], incident, "major", "codec after all")
    assert (incident.severity, incident.classification_rule) == ("major", "manual")
    assert "codec after all" in incident.classification_reason["fr"]
    assert Ticket.objects.filter(incident=incident).exists()
    event = AuditEvent.objects.for_object("incident", incident.pk).get(action="reclassified")
    assert event.changes == {"severity": ["minor", "major"]}
    assert event.actor == staff["level2_analyst"] and event.data["reason"] == "codec after all"


def test_priority_is_re_evaluated_with_a_reason(cusm, staff):
    incident = log(staff["level1_agent"], cusm, impact="medium", urgency="medium")
    assert incident.priority == 3
    incident = services.reprioritize(
        staff["level2_analyst"], incident, "high", "high", "whole clinic down"
    )
    assert incident.priority == 1
    with pytest.raises(Forbidden):
        services.reprioritize(staff["level1_agent"], incident, "low", "low", "calmer")


def test_follow_up_lists_stale_open_requests_oldest_first(cusm, staff):
    agent = staff["level1_agent"]
    now = timezone.now()
    old, older, fresh = (log(agent, cusm) for _ in range(3))
    Incident.objects.filter(pk=old.pk).update(updated_at=now - dt.timedelta(hours=5))
    Incident.objects.filter(pk=older.pk).update(updated_at=now - dt.timedelta(hours=9))
    done = log(agent, cusm, resolved_on_first_call=True)
    Incident.objects.filter(pk=done.pk).update(updated_at=now - dt.timedelta(hours=9))
    assert [i.number for i in selectors.follow_up(cusm, now)] == [older.number, old.number]
    assert fresh.number not in [i.number for i in selectors.follow_up(cusm, now)]


def test_a_note_counts_as_activity_and_is_on_the_timeline(cusm, staff):
    incident = log(staff["level1_agent"], cusm)
    Incident.objects.filter(pk=incident.pk).update(
        updated_at=timezone.now() - dt.timedelta(hours=9)
    )
    services.add_note(staff["level1_agent"], incident, "Called the site back")
    assert not selectors.follow_up(cusm).filter(pk=incident.pk).exists()
    assert (
        selectors.timeline(incident)
        .filter(action="note_added", data__text="Called the site back")
        .exists()
    )


def test_assignment_goes_to_the_least_loaded_holder(cusm, staff, make_user):
    second = make_user("telehealth_technician", [cusm], username="tech2")
    first = log(staff["level1_agent"], cusm)
    then = log(staff["level1_agent"], cusm)
    users = [
        next(
            a["user"] for a in selectors.active_assignees(i) if a["role"] == "telehealth_technician"
        )
        for i in (first, then)
    ]
    assert sorted(users) == sorted(["telehealth_technician", second.username])
