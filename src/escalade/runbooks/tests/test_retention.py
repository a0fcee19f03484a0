"""Degraded-mode registry entries kept no longer than Pau's pack allows (365 days once
reconciled): the names replaced and the birth date kept to its year, unless the outage's
incident is under a legal hold."""

import datetime as dt

from django.utils import timezone

from escalade.core import retention
from escalade.incidents import services as incidents
from escalade.runbooks import services
from escalade.runbooks.models import RegistryEntry


def _entry(crew, outage, last, born):
    return services.add_entry(
        crew["telehealth_technician"],
        outage,
        {
            "last_name": last,
            "first_name": "Léa",
            "birth_date": born,
            "ipp": "1234567",
            "exam": "Scanner",
            "modality": "CT",
        },
    )


def test_reconciled_entries_are_anonymised_after_a_year_unless_held(pau, crew):
    it = crew["it_technician"]
    first = services.activate(it, pau, "case1_label")
    held = services.activate(it, pau, "case2_ris")
    entries = [
        _entry(crew, first, "Durand", dt.date(1980, 2, 1)),
        _entry(crew, held, "Martin", dt.date(1950, 5, 6)),
    ]
    for outage in (first, held):
        services.restore(it, outage)
        for step in outage.steps.filter(phase="restore"):
            services.mark_step(it, outage, step.n, "done")
    for entry in entries:
        services.reconcile(it, entry, "7654321", "88")
    manager = crew["manager"]
    incidents.legal_hold(manager, held.incident, "Patient's complaint")
    assert retention.apply(now=timezone.now() + dt.timedelta(days=364)) == {}
    assert retention.apply(now=timezone.now() + dt.timedelta(days=366)) == {
        "ch-pau-imaging": {"registry_entries": 1}
    }
    done, kept = (RegistryEntry.objects.get(pk=e.pk) for e in entries)
    assert (done.last_name, done.first_name, done.birth_date) == ("—", "—", dt.date(1980, 1, 1))
    assert done.exam == "Scanner" and done.final_ipp == "7654321"  # the figures stay
    assert (kept.last_name, kept.birth_date) == ("Martin", dt.date(1950, 5, 6))
