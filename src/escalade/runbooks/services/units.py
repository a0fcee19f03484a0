"""The units that confirm they are on paper (seed 004, degraded mode): each unit of the
groups an outage's broadcasts go to is asked to confirm it switched to the degraded
procedure, and at the return to normal that it is back to normal work; from the kiosk
screen (one large button), a link, the app, or its lead's SMS or e-mail reply. A unit
silent after the runbook's delay is reported (`outage.units_silent`): the on-call app
pages its lead."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import audit, events
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Invalid
from escalade.core.i18n import in_both, pick
from escalade.notifications import services as notify

from ..choices import ConfirmedVia, OutageState, UnitPhase
from ..events import UnitConfirmed, UnitsSilent
from ..models import Outage, Unit, UnitConfirmation, WorkstationGroup

CONFIRM_SALT = "escalade.unit-confirm"
LINK_DAYS = 14  # an outage and its return rarely last longer: the link dies after


def confirm_token(confirmation: UnitConfirmation) -> str:
    """The secret of a unit's confirmation link (no sign-in): it names that confirmation
    and nothing else."""
    return signing.dumps(confirmation.pk, salt=CONFIRM_SALT)


def confirm_link(confirmation: UnitConfirmation) -> str:
    """The full link a unit confirms by (in the e-mails and the SMS)."""
    return f"{settings.ESCALADE_BASE_URL}/units/confirm/{confirm_token(confirmation)}/"


def from_token(token: str) -> UnitConfirmation | None:
    """The confirmation a link or a kiosk button names, if the token is genuine."""
    try:
        pk = signing.loads(token or "", salt=CONFIRM_SALT, max_age=LINK_DAYS * 24 * 3600)
    except signing.BadSignature:
        return None
    return (
        UnitConfirmation.objects.select_related("outage__institution", "outage__runbook", "unit")
        .filter(pk=pk)
        .first()
    )


def ask_units(actor, outage: Outage, phase: str, groups: set[str], at: dt.datetime) -> int:
    """Ask each active unit of `groups` (the broadcasts' groups) to confirm `phase`, once
    per outage and phase, and queue the check of who stayed silent after the runbook's
    delay (in this transaction: both or neither). Returns how many units were asked."""
    seconds = outage.runbook.confirm_within
    if not seconds or not groups:
        return 0
    units = [
        u
        for u in Unit.objects.filter(institution=outage.institution, active=True)
        if set(u.groups) & groups
    ]
    if not units:
        return 0
    due = at + dt.timedelta(seconds=seconds)
    UnitConfirmation.objects.bulk_create(
        [
            UnitConfirmation(outage=outage, unit=u, phase=phase, asked_at=at, due_at=due)
            for u in units
        ],
        ignore_conflicts=True,  # asked once per phase
    )
    audit.record(
        action=AuditAction.UNITS_ASKED,
        obj=outage.about,
        actor=actor,
        institution=outage.institution,
        data={"outage": outage.pk, "phase": phase, "units": [pick(u.label) for u in units]},
    )
    if outage.drill:  # answered from the drill group's screens; nobody paged
        return len(units)
    _send_links(outage, phase, groups)
    from ..tasks import check_units  # noqa: PLC0415 (cycle: the task calls back)

    check_units.using(run_after=due).enqueue(outage.pk, phase)
    return len(units)


ASK = {
    UnitPhase.DEGRADED: gettext_lazy(
        "Confirm that your unit has switched to the degraded (paper) procedure:"
    ),
    UnitPhase.NORMAL: gettext_lazy("Confirm that your unit is back to normal work:"),
}


def _send_links(outage: Outage, phase: str, groups: set[str]) -> None:
    """Each group's mailing lists get one e-mail with the link of each of its units (both
    languages, as the broadcasts); a lead with an account is told in the app too."""
    rows = list(UnitConfirmation.objects.select_related("unit").filter(outage=outage, phase=phase))
    title = pick(outage.runbook.title, "fr") or pick(outage.runbook.title, "en")
    for group in WorkstationGroup.objects.filter(
        institution=outage.institution, code__in=groups
    ).exclude(emails=[]):
        mine = [c for c in rows if group.code in c.unit.groups]
        if not mine:
            continue
        lines = [
            f"{pick(c.unit.label, 'fr')} / {pick(c.unit.label, 'en')} : {confirm_link(c)}"
            for c in mine
        ]
        ask = in_both(ASK[phase])
        notify.send_mail(
            group.emails,
            f"✔ {title}",
            "\n\n".join([ask["fr"], ask["en"], "\n".join(lines)]),
        )
    for c in rows:
        username = (c.unit.lead or {}).get("username")
        if not username:
            continue
        who = notify.people(notify.named(outage.institution, [username]))
        notify.tell(
            who,
            kind=f"unit_asked_{phase}",
            params={"unit": pick(c.unit.label), "outage": outage.pk, "link": confirm_link(c)},
            link=f"/outages/{outage.pk}/",
            subject=notify.MESSAGES[f"unit_asked_{phase}"],
        )


def confirm_unit(
    actor, confirmation: UnitConfirmation, via: str, *, by_name: str = "", by_lead: bool = False
) -> UnitConfirmation:
    """The unit confirms (the first answer counts; a second changes nothing). From the app
    it takes a person who runs outages (the centre called the unit); a kiosk, a link or
    a lead answering their page (`by_lead`) carry their own proof (a signed token, the
    page)."""
    if via == ConfirmedVia.APP and not by_lead:
        require(actor, perms.OUTAGE_RUN, confirmation.outage.institution)
    with transaction.atomic():
        row = audit.locked(confirmation)
        outage = Outage.objects.select_related("incident", "institution").get(pk=row.outage_id)
        if row.confirmed_at is not None:
            return row
        if outage.state == OutageState.CLOSED:
            raise Conflict(_("This outage is closed."), field="state", code=Code.NOT_ALLOWED_NOW)
        if row.phase == UnitPhase.DEGRADED and outage.state != OutageState.ACTIVE:
            raise Conflict(
                _("The return to normal has started: confirm the return instead."),
                field="phase",
                code=Code.NOT_ALLOWED_NOW,
            )
        name = (by_name or (actor.get_full_name() or actor.get_username() if actor else ""))[:200]
        audit.change(
            row,
            action=AuditAction.UNIT_CONFIRMED,
            actor=actor,
            about=outage.about,
            data={
                "outage": outage.pk,
                "unit": pick(row.unit.label),
                "phase": row.phase,
                "via": via,
                "by": name,
            },
            confirmed_at=timezone.now(),
            via=via,
            by=actor,
            by_name=name,
        )
        events.publish(UnitConfirmed(outage=outage, confirmation=row, actor=actor))
    return row


def confirm_by_code(actor, outage: Outage, unit_code: str, phase: str) -> UnitConfirmation:
    """The app's and the API's way: the unit of this code, for this phase."""
    row = (
        UnitConfirmation.objects.select_related("unit", "outage")
        .filter(outage=outage, unit__code=unit_code, phase=phase)
        .first()
    )
    if row is None:
        raise Invalid(
            _("This unit was not asked to confirm on this outage."),
            field="unit",
            code=Code.NOT_FOUND,
        )
    return confirm_unit(actor, row, ConfirmedVia.APP)


def check_units(outage_id: int, phase: str, now: dt.datetime | None = None) -> int:
    """After the delay: the units still silent are reported once each (their leads are
    paged by the on-call app, in this transaction); a run twice reports nobody twice.
    Returns how many were reported."""
    now = now or timezone.now()
    with transaction.atomic():
        silent = list(
            UnitConfirmation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("unit", "outage")
            .filter(
                outage_id=outage_id,
                phase=phase,
                confirmed_at__isnull=True,
                lead_paged_at__isnull=True,
                due_at__lte=now,
            )
            .exclude(outage__state=OutageState.CLOSED)
        )
        silent = [c for c in silent if not c.outage.drill]  # a drill pages no one
        if phase == UnitPhase.DEGRADED:  # the return has started: asking is over
            silent = [c for c in silent if c.outage.state == OutageState.ACTIVE]
        if not silent:
            return 0
        outage = Outage.objects.select_related("incident", "institution").get(pk=outage_id)
        UnitConfirmation.objects.filter(pk__in=[c.pk for c in silent]).update(lead_paged_at=now)
        audit.record(
            action=AuditAction.UNIT_SILENT,
            obj=outage.about,
            actor=None,
            institution=outage.institution,
            data={
                "outage": outage.pk,
                "phase": phase,
                "units": [pick(c.unit.label) for c in silent],
            },
        )
        events.publish(UnitsSilent(outage=outage, confirmations=tuple(silent)))
    return len(silent)
