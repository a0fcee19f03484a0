"""Degraded-mode registry entries past the institution's period (core/retention.py):
once reconciled, the patient's names are replaced and the birth date kept to its year;
the exam, modality and identifiers the reconciliation used stay for the figures. An
entry whose outage's incident is under a legal hold is kept whole."""

from __future__ import annotations

from django.db.models import F
from django.db.models.functions import TruncYear

from ..choices import EntryState
from ..models import RegistryEntry

REMOVED = "—"


def purge_entries(institution, cutoff, held) -> int:
    """Anonymise the institution's entries reconciled before `cutoff`."""
    incidents = {int(i) for kind, i in held if kind == "incident"}
    rows = (
        RegistryEntry.objects.filter(
            outage__institution=institution,
            state=EntryState.RECONCILED,
            reconciled_at__lt=cutoff,
        )
        .exclude(last_name=REMOVED)
        .exclude(outage__incident_id__in=incidents)
    )
    return rows.update(last_name=REMOVED, first_name=REMOVED, birth_date=TruncYear(F("birth_date")))
