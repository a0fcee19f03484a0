"""Seed 004's seven failure cases as the pack writes them, run as outages: broadcasts
(texts and groups), whom to call at a given moment, time-dependent steps, the registry,
the return to normal, reconciliation and closing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from escalade.core.errors import Conflict, Forbidden, Invalid
from escalade.core.models import AuditEvent
from escalade.runbooks import rules, selectors, services
from escalade.runbooks.models import Broadcast, Outage, Runbook

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def at(y, m, d, h, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def test_the_pack_holds_the_seven_cases_and_the_partners_procedures(pau):
    codes = list(Runbook.objects.filter(institution=pau).values_list("code", flat=True))
    assert [c for c in codes if c.startswith("case")] == [
        "case1_label",
        "case2_ris",
        "case3_pacs",
        "case4_ris_pacs",
        "case5_imadis",
        "case6_patient_access",
        "case7_archive",
    ]
    assert {"annex2_fax", "annex2_security_oncall", "annex4_backup_network"} <= set(codes)


def test_case3_broadcasts_the_warning_to_every_workstation_then_the_information(pau, crew):
    outage = services.activate(crew["it_technician"], pau, "case3_pacs", at=at(2026, 12, 8, 10))
    (b,) = outage.broadcasts.all()
    assert (b.group, b.kind, b.title["fr"]) == ("all", "warning", "PACS en panne")
    assert b.message["fr"] == (
        "Le PACS est en panne. Les images ne sont plus visibles. "
        "Pour toute urgence appeler les radiologues directement."
    )
    shown = selectors.current_broadcasts([pau], host="MURG042", at=at(2026, 12, 8, 10, 5))
    assert [x.pk for x in shown] == [b.pk]
    services.restore(crew["it_technician"], outage, at=at(2026, 12, 8, 12))
    now = selectors.current_broadcasts([pau], host="MURG042", at=at(2026, 12, 8, 12, 1))
    assert [(x.kind, x.title["fr"], x.message["fr"]) for x in now] == [
        ("info", "Panne du PACS", "Le PACS fonctionne à nouveau.")
    ]
    assert selectors.current_broadcasts([pau], at=at(2026, 12, 8, 14, 1)) == []


def test_case4_sends_two_warnings_to_two_groups_and_the_hosts_are_matched(pau, crew):
    outage = services.activate(crew["level1_agent"], pau, "case4_ris_pacs")
    groups = {b.group: b for b in outage.broadcasts.all()}
    assert set(groups) == {"imaging", "all"}
    assert 'renseigner la fiche "mode dégradé"' in groups["imaging"].message["fr"]
    for_imaging = selectors.current_broadcasts([pau], host="MRADI001")
    assert {b.group for b in for_imaging} == {"imaging", "all"}
    assert {b.group for b in selectors.current_broadcasts([pau], host="MCARDIO7")} == {"all"}
    services.restore(crew["level1_agent"], outage)
    ends = {b.group: b.message["fr"] for b in Broadcast.objects.filter(outage=outage, kind="info")}
    assert ends == {
        "imaging_reading": "Dysfonctionnement terminé.",
        "all": "Le RIS et le PACS fonctionnent à nouveau.",
    }
    reading = selectors.current_broadcasts([pau], host="MNUCLDWS003")
    assert {b.group for b in reading} == {"imaging_reading", "all"}


def test_workstation_patterns_as_seed_004_writes_them():
    assert rules.host_matches(["M[RADI|NUCL]DWS*"], "MRADIDWS012")
    assert rules.host_matches(["M[RADI|NUCL]DWS*"], "mnucldws1")
    assert not rules.host_matches(["M[RADI|NUCL]DWS*"], "MCARDDWS1")
    assert rules.host_matches(["MRADI*"], "MRADI001") and not rules.host_matches(["MRADI*"], "")


@pytest.mark.parametrize(
    "when,open_channels",
    [
        (at(2026, 12, 8, 10), ["it_service.hotline"]),  # Tuesday 10:00: the hotline
        (at(2026, 12, 8, 20), ["it_service.on_call"]),  # Tuesday 20:00: the on-call
        (at(2026, 12, 13, 10), ["it_service.on_call"]),  # Sunday: the on-call
        (at(2026, 12, 25, 10), ["it_service.on_call"]),  # Christmas (France): the on-call
    ],
)
def test_whom_to_call_depends_on_the_moment(pau, when, open_channels):
    runbook = Runbook.objects.get(institution=pau, code="case2_ris")
    (it,) = selectors.contacts_view(runbook, when)
    assert [c["ref"] for c in it["channels"] if c["open_now"]] == open_channels
    closed = [c for c in it["channels"] if not c["open_now"]]
    assert all(c["next_open"] is not None for c in closed)


def test_case7_steps_that_apply_only_during_imadis_activity(pau, crew):
    night = services.activate(crew["it_technician"], pau, "case7_archive", at=at(2026, 12, 8, 23))
    # one outage of a runbook at a time: this test judges the steps, not the closing
    Outage.objects.filter(pk=night.pk).update(state="closed")
    day = services.activate(crew["it_technician"], pau, "case7_archive", at=at(2026, 12, 8, 14))
    states = {o: [(s.n, s.state) for s in o.steps.all()] for o in (night, day)}
    assert states[night] == [(1, "open"), (2, "open")]
    assert states[day] == [(1, "open"), (2, "not_applicable")]
    services.restore(crew["it_technician"], day, at=at(2026, 12, 8, 15))
    restore = [(s.n, s.state) for s in day.steps.filter(phase="restore")]
    assert restore == [(3, "not_applicable"), (4, "open")]
    Outage.objects.filter(pk=day.pk).update(state="closed")
    sunday = services.activate(crew["it_technician"], pau, "case7_archive", at=at(2026, 12, 13, 15))
    assert sunday.steps.get(n=2).state == "open"  # Sunday afternoon: IMADIS is on


def test_an_outage_opens_a_major_incident_with_its_ticket(pau, crew):
    outage = services.activate(crew["level1_agent"], pau, "case2_ris", note="Salle 3")
    incident = outage.incident
    assert incident.severity == "major" and incident.ticket.number.startswith("PAUT-")
    assert AuditEvent.objects.filter(object_id=str(incident.pk), action="outage_started").exists()
    again = services.activate(
        crew["level1_agent"], pau, "annex4_backup_network", incident_number=incident.number
    )
    assert again.incident == incident  # several outages run in one incident
    view = selectors.outage_view(crew["level1_agent"], outage)
    assert [s["id"] for s in view["siblings"]] == [again.pk]


def test_case1_registry_provisional_ids_reconciliation_and_close(pau, crew):
    it, tech = crew["it_technician"], crew["telehealth_technician"]
    outage = services.activate(it, pau, "case1_label")
    first = services.add_entry(
        tech,
        outage,
        {
            "last_name": "Durand",
            "first_name": "Léa",
            "birth_date": dt.date(1980, 2, 1),
            "exam": "Radio thorax",
            "modality": "CR",
        },
    )
    second = services.add_entry(
        tech,
        outage,
        {
            "last_name": "Martin",
            "first_name": "Paul",
            "birth_date": dt.date(1950, 5, 6),
            "ipp": "1234567",
            "exam": "Scanner",
            "modality": "CT",
            "accession_number": "A99",
        },
    )
    assert first.provisional and first.ipp.startswith("P") and first.episode == "0"
    assert not second.provisional and second.ipp == "1234567"
    with pytest.raises(Conflict):  # before the return to normal
        services.reconcile(it, first, "7654321", "88")
    with pytest.raises(Conflict) as closing:
        services.close(it, outage)
    services.restore(it, outage)
    with pytest.raises(Conflict) as closing:
        services.close(it, outage)
    assert closing.value.as_errors()[0]["code"] == "open_work"
    assert f"réconcilier : {first.pk}, {second.pk}." in str(closing.value.message)
    for step in outage.steps.filter(phase="restore"):
        services.mark_step(it, outage, step.n, "done")
    services.reconcile(it, first, "7654321", "88")
    with pytest.raises(Forbidden):
        services.reconcile(tech, second, "1234567", "12")
    services.reconcile(crew["level2_analyst"], second, "1234567", "12")
    closed = services.close(it, outage, review_needed=True)
    assert closed.state == "closed" and closed.review_needed is True


def test_the_registry_asks_for_what_it_needs_and_hides_identities(pau, crew):
    outage = services.activate(crew["it_technician"], pau, "case4_ris_pacs")
    with pytest.raises(Invalid) as err:
        services.add_entry(crew["level1_agent"], outage, {"last_name": " "})
    fields = {e["field"]: e["code"] for e in err.value.as_errors()}
    assert fields == {
        "last_name": "required",
        "first_name": "required",
        "exam": "required",
        "modality": "required",
        "birth_date": "required",
    }
    services.add_entry(
        crew["level1_agent"],
        outage,
        {
            "last_name": "Durand",
            "first_name": "Léa",
            "birth_date": dt.date(1980, 2, 1),
            "exam": "IRM",
            "modality": "MR",
        },
    )
    agent_view = selectors.outage_view(crew["level1_agent"], outage)
    assert "last_name" not in agent_view["entries"][0] and not agent_view["identities_shown"]
    seen = AuditEvent.objects.filter(action="phi_viewed").count()
    referent = services.show_outage(crew["it_technician"], outage, "test")
    assert referent["entries"][0]["last_name"] == "Durand"
    assert AuditEvent.objects.filter(action="phi_viewed").count() == seen + 1
    with pytest.raises(Forbidden):
        services.add_entry(crew["requester"], outage, {})


def test_broadcasts_reach_the_group_mailing_lists_too(pau, crew):
    from escalade.notifications.models import OutgoingMail

    services.activate(crew["it_technician"], pau, "case3_pacs")
    # the broadcast (the units' question with their links follows in a mail of its own)
    (mail,) = OutgoingMail.objects.filter(subject__startswith="⚠")
    assert mail.to == ["tous-les-postes@ch-pau.example.fr"]
    assert mail.subject == "⚠ PACS en panne"
    assert "Le PACS est en panne." in mail.body and "The PACS is down." in mail.body


def test_end_broadcasts_are_prepared_from_the_start_ones_when_the_runbook_has_none(pau, crew):
    outage = services.activate(crew["it_technician"], pau, "case1_label")
    services.restore(crew["it_technician"], outage)
    (end,) = Broadcast.objects.filter(outage=outage, kind="info")
    assert end.group == "imaging_reading" and end.title["fr"] == "Passage en mode dégradé"
    assert end.message["fr"].startswith("Fin du mode dégradé")
