"""The degraded-mode registry (seed 004 annex 1): the exams done on paper, entered
once, reconciled after the return."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import audit, numbering
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Invalid, missing, required

from .. import rules, selectors
from ..choices import EntryState, OutageState
from ..models import (
    Outage,
    RegistryEntry,
)
from .activation import _locked

# -- the degraded-mode registry ---------------------------------------------------


def show_outage(user, outage: Outage, purpose: str) -> dict:
    """The outage as its page and the API show it (selectors.outage_view); when the
    registry's identities are shown, the display is recorded."""
    view = selectors.outage_view(user, outage)
    if view["identities_shown"] and view["entries"]:
        audit.phi_viewed(
            user,
            outage.about,
            outage.institution,
            purpose or "outage registry",
            outage=outage.pk,
            patients=len(view["entries"]),
        )
    return view


def add_entry(actor, outage: Outage, data: dict) -> RegistryEntry:
    """Key in a patient and exam handled by hand (annex 1). Without the patient id (IPP),
    a provisional one prefixed with P is given (seed 004 case 1); the episode is 0."""
    require(actor, perms.REGISTRY_ADD, outage.institution)
    texts = {
        f: str(data.get(f) or "").strip()
        for f in ("last_name", "first_name", "ipp", "exam", "modality", "accession_number")
    }
    errors = missing(**{f: texts[f] for f in ("last_name", "first_name", "exam", "modality")})
    birth = data.get("birth_date")
    if birth is None:
        errors.append(required("birth_date", _("This field is required.")))
    elif birth > timezone.localdate():
        errors.append(
            ("birth_date", _("A date of birth cannot be in the future."), Code.OUT_OF_RANGE)
        )
    kind = None
    if texts["ipp"]:
        texts["ipp"] = texts["ipp"].upper()
        kind = rules.ipp_kind(texts["ipp"], outage.institution.setting("ipp_pattern"))
        if kind is None:
            errors.append(
                (
                    "ipp",
                    _(
                        "This is not a patient id (IPP): digits as the information system "
                        "gives them, or P followed by digits for a provisional one. Leave it "
                        "empty if unknown: the registry gives a provisional one."
                    ),
                    Code.INVALID,
                )
            )
    if errors:
        raise Invalid(errors=errors)
    with transaction.atomic():
        locked = _locked(outage)
        if not data.get("confirm_duplicate"):
            twin = _twin_entry(locked, texts, birth)
            if twin is not None:
                raise Invalid(
                    _(
                        "This patient seems to be in the registry already (entry #%(id)s, "
                        "%(exam)s): tick the box to enter them again."
                    )
                    % {"id": twin.pk, "exam": twin.exam},
                    field="confirm_duplicate",
                    code=Code.POSSIBLE_DUPLICATE,
                )
        ipp, provisional = texts["ipp"], kind == "provisional"
        if not ipp:
            year = timezone.localdate().year
            number = numbering.next_number(f"IPP{locked.institution_id}"[:10], year)
            ipp, provisional = rules.provisional_ipp(year, int(number.rsplit("-", 1)[1])), True
        entry = RegistryEntry.objects.create(
            outage=locked,
            last_name=texts["last_name"][:100],
            first_name=texts["first_name"][:100],
            birth_date=birth,
            ipp=ipp[:20],
            provisional=provisional,
            exam=texts["exam"][:200],
            modality=texts["modality"][:20],
            accession_number=texts["accession_number"][:40],
            by=actor,
            state=EntryState.RECORDED
            if locked.state == OutageState.ACTIVE
            else EntryState.TO_RECONCILE,
        )
        audit.record(
            action=AuditAction.ENTRY_RECORDED,
            obj=locked.about,
            actor=actor,
            institution=locked.institution,
            data={"outage": locked.pk, "entry": entry.pk, "modality": entry.modality},
        )
    return entry


def _twin_entry(outage: Outage, texts: dict, birth) -> RegistryEntry | None:
    """An entry of the outage for the same patient (name and birth date) or the same
    accession number: keyed twice from two workstations, or the sheet typed in twice."""
    same_patient = Q(
        last_name__iexact=texts["last_name"],
        first_name__iexact=texts["first_name"],
        birth_date=birth,
    )
    if texts["accession_number"]:
        same_patient |= Q(accession_number=texts["accession_number"])
    return outage.entries.filter(same_patient).first()
