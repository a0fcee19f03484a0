"""Personal health information kept no longer than needed (Quebec's and Ontario's health-
information privacy laws): per institution, the pack sets how many days each kind is
kept (`settings: retention_days:` of institution.yaml); a daily job removes or
anonymises what is past its period, skipping what is under a legal hold, and writes what
it did (counts, never contents) to the audit log.

The kinds belong to the apps that keep them: each registers its purge from its ready()
(`register(kind, purge)`); core knows only their names. A purge gets the institution,
the cut-off instant and the objects under hold ({("incident", "12"), ("telesession",
"3")}), and returns how many records it changed."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import PositiveInt

from . import audit, packs
from .choices import AuditAction
from .errors import Code, Conflict, Invalid
from .models import Institution, LegalHold

log = logging.getLogger(__name__)

# the kinds of personal information whose keeping the pack may limit
KINDS = (
    "session_patients",  # patients of telehealth sessions (names, phones), once ended
    "registry_entries",  # degraded-mode registry entries, once reconciled
    "mail_contents",  # e-mail bodies and attachments of closed incidents
    "sealed_reports",  # sealed conformance reports, once handled
)
Kind = Literal["session_patients", "registry_entries", "mail_contents", "sealed_reports"]
HOLDABLE = ("incident", "telesession")

_PURGES: dict[str, Callable] = {}


def register(kind: str, purge: Callable) -> None:
    """An app's purge of one kind: purge(institution, cutoff, held) -> count."""
    if kind not in KINDS:
        raise ValueError(f"unknown retention kind '{kind}'")
    _PURGES[kind] = purge


def declare() -> None:
    packs.declare_setting("retention_days", dict[Kind, PositiveInt], {}, owner="core")


def held() -> set[tuple[str, str]]:
    """The objects under a legal hold now."""
    return set(
        LegalHold.objects.filter(released_at__isnull=True).values_list("object_type", "object_id")
    )


def apply(now: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """The daily job: for each institution and each kind its pack limits, what is older
    than its period is removed or anonymised (one transaction per institution and kind),
    and the count written to the audit log. Returns {institution: {kind: count}}."""
    now = now or timezone.now()
    holds = held()
    done: dict[str, dict[str, int]] = {}
    for institution in Institution.objects.all():
        periods = packs.setting_of(institution, "retention_days") or {}
        for kind, days in sorted(periods.items()):
            purge = _PURGES.get(kind)
            if purge is None:
                continue
            cutoff = now - dt.timedelta(days=days)
            with transaction.atomic():
                count = purge(institution, cutoff, holds)
                if count:
                    audit.record(
                        action=AuditAction.RETENTION_APPLIED,
                        obj=institution,
                        actor=None,
                        institution=institution,
                        data={
                            "kind": kind,
                            "count": count,
                            "days": days,
                            "before": cutoff.isoformat(),
                            "held": len(holds),
                        },
                    )
            if count:
                log.info("retention %s %s: %s records", institution.code, kind, count)
                done.setdefault(institution.code, {})[kind] = count
    return done


def hold_of(obj) -> LegalHold | None:
    """The legal hold in force on `obj`, if any."""
    return LegalHold.objects.filter(
        object_type=obj._meta.model_name, object_id=str(obj.pk), released_at__isnull=True
    ).first()


def set_hold(actor, obj, reason: str) -> LegalHold:
    """Put `obj` (an incident, a telehealth session) under a legal hold, with the reason
    (the caller checked the actor's permission); audited on it."""
    kind = obj._meta.model_name
    if kind not in HOLDABLE:
        raise Invalid(_("Only an incident or a session can be held."), field="object")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason for the legal hold."), field="reason", code=Code.REQUIRED)
    with transaction.atomic():
        if hold_of(obj) is not None:
            raise Conflict(
                _("A legal hold is already in force."), field="hold", code=Code.NOT_ALLOWED_NOW
            )
        hold = LegalHold.objects.create(
            institution=obj.institution,
            object_type=kind,
            object_id=str(obj.pk),
            reason=reason,
            set_by=actor,
        )
        audit.record(
            action=AuditAction.LEGAL_HOLD_SET,
            obj=obj,
            actor=actor,
            institution=obj.institution,
            data={"reason": reason},
        )
    return hold


def release_hold(actor, obj, reason: str) -> LegalHold:
    """End the legal hold on `obj`, with the reason; audited."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason for ending the hold."), field="reason", code=Code.REQUIRED)
    with transaction.atomic():
        hold = hold_of(obj)
        if hold is None:
            raise Conflict(_("No legal hold is in force."), field="hold", code=Code.NOT_ALLOWED_NOW)
        hold.released_at, hold.released_by, hold.release_reason = timezone.now(), actor, reason
        hold.save(update_fields=["released_at", "released_by", "release_reason"])
        audit.record(
            action=AuditAction.LEGAL_HOLD_RELEASED,
            obj=obj,
            actor=actor,
            institution=obj.institution,
            data={"reason": reason},
        )
    return hold
