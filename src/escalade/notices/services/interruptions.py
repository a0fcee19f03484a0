"""The interruptions an organisation reports of its own systems, acknowledged by the desk."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts.rules import INTERRUPTION_ACK, INTERRUPTION_ADD
from escalade.accounts.services import require
from escalade.catalog.models import Organisation
from escalade.core import audit
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Invalid, not_one_of
from escalade.core.i18n import colon
from escalade.notifications import services as notify

from ..choices import NoticeKind
from ..models import FeedKey, Interruption
from .common import when

# -- organisations' own interruptions ---------------------------------------------


def report_interruption(actor, organisation: Organisation, data: dict) -> Interruption:
    """Seed 002: an organisation tells the desk about an interruption of its own systems."""
    require(actor, INTERRUPTION_ADD, organisation.institution_id)
    errors = []
    kind = data.get("kind")
    errors += not_one_of("kind", kind, NoticeKind)
    systems = (data.get("systems") or "").strip()
    if not systems:
        errors.append(("systems", _("This field is required."), Code.REQUIRED))
    start, end = data.get("start"), data.get("end")
    if start is None:
        errors.append(("start", _("This field is required."), Code.REQUIRED))
    elif end is not None and end <= start:
        errors.append(("end", _("The end must come after the start."), Code.END_BEFORE_START))
    reporter = (data.get("reporter_name") or "").strip() or actor.get_full_name() or actor.username
    if errors:
        raise Invalid(errors=errors)

    with transaction.atomic():
        row = Interruption.objects.create(
            institution=organisation.institution,
            organisation=organisation,
            kind=kind,
            systems=systems[:300],
            description=(data.get("description") or "").strip(),
            start=start,
            end=end,
            reporter_name=reporter[:200],
            reporter_contact=(data.get("reporter_contact") or "").strip()[:200],
            reported_by=actor,
        )
        audit.record(
            action=AuditAction.CREATED,
            obj=row,
            actor=actor,
            institution=organisation.institution,
            data={"organisation": organisation.code, "kind": kind, "systems": row.systems},
        )
        notify.to_role(
            organisation.institution,
            "level1_agent",
            kind="interruption_reported",
            params={"organisation": str(organisation), "systems": row.systems},
            link="/interruptions/",
        )
        desk = organisation.institution.setting("desk_email")
        if desk:
            notify.send_mail(
                [desk],
                _("Interruption reported by %(organisation)s: %(systems)s")
                % {"organisation": organisation, "systems": row.systems},
                render_interruption(row),
            )
    return row


def render_interruption(row: Interruption) -> str:
    """An interruption reported by an organisation, as one line of text."""
    zone = row.institution.zone
    return "\n".join(
        [
            f"{_('Organisation')}{colon()} {row.organisation}",
            f"{_('Kind')}{colon()} {row.get_kind_display()}",
            f"{_('Systems affected')}{colon()} {row.systems}",
            f"{_('Start')}{colon()} {when(row.start, zone)}",
            f"{_('End')}{colon()} {when(row.end, zone)}",
            f"{_('Reported by')}{colon()} {row.reporter_name} {row.reporter_contact}",
            "",
            row.description,
        ]
    )


def acknowledge(actor, row: Interruption) -> Interruption:
    """The desk acknowledges an interruption an organisation reported (audited)."""
    require(actor, INTERRUPTION_ACK, row.institution_id)
    if row.acknowledged_at is not None:
        return row  # a second click changes nothing
    with transaction.atomic():
        row.acknowledged_at, row.acknowledged_by = timezone.now(), actor
        row.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit.record(
            action=AuditAction.ACKNOWLEDGED, obj=row, actor=actor, institution=row.institution
        )
    return row


def feed_key(user) -> FeedKey:
    """The user's key for the notices' calendar feed, created on first use."""
    key, _created = FeedKey.objects.get_or_create(user=user)
    return key


def renew_feed_key(user) -> FeedKey:
    """A new key for the user's calendar feed (the old link stops working)."""
    FeedKey.objects.filter(user=user).delete()
    return FeedKey.objects.create(user=user)
