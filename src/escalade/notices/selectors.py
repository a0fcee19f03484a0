"""Read queries on notices shared by pages, the API and the feeds."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts.services import institutions_of, roles_of
from escalade.core.errors import NotFound
from escalade.core.i18n import pick

from . import rules
from .choices import NoticeState
from .models import FeedKey, Interruption, MaintenanceWindow, Notice

BANNER_AHEAD = dt.timedelta(days=14)


def visible_notices(user):
    """Notices the user may read: those of their institutions; a member of organisations
    (and nothing more) reads those that affect their organisations."""

    qs = Notice.objects.filter(institution__in=institutions_of(user))
    orgs = list(user.organisations.values_list("pk", flat=True))
    if orgs and not (roles_of(user) - {"requester"}) and not user.is_superuser:
        qs = qs.filter(organisations__in=orgs).distinct()
    return qs


def banner_notices(user, now: dt.datetime | None = None, institution=None):
    """Current notices for the banner: published, not over, starting within two weeks.
    A member of organisations sees those of their organisations only; the desk's staff
    see the notices of the institution they work in now (`institution`), not those of
    every institution they belong to. Each names the desk that issued it."""
    now = now or timezone.now()
    qs = (
        Notice.objects.filter(state=NoticeState.PUBLISHED, start__lte=now + BANNER_AHEAD)
        .filter(Q(end__isnull=True) | Q(end__gt=now))
        .select_related("institution")
    )
    orgs = list(user.organisations.values_list("pk", flat=True))
    if orgs:
        qs = qs.filter(organisations__in=orgs).distinct()
    elif institution is not None:
        qs = qs.filter(institution=institution)
    else:
        qs = qs.filter(institution__in=institutions_of(user))
    return list(qs.order_by("start")[:3])


def get_notice(user, notice_id: int) -> Notice:
    """The notice of this id in one of the user's institutions, or NotFound."""
    notice = visible_notices(user).filter(pk=notice_id).first()
    if notice is None:
        raise NotFound(_("No notice #%(id)s.") % {"id": notice_id})
    return notice


def notice_view(notice: Notice) -> dict:
    """One notice as the API shows it, with its organisations, updates and incidents."""
    return {
        "id": notice.pk,
        "institution": notice.institution.code,
        "kind": notice.kind,
        "state": notice.state,
        "title": pick(notice.title),
        "body": pick(notice.body),
        "impact": pick(notice.impact),
        "user_action": pick(notice.user_action),
        "texts": {f: getattr(notice, f) for f in ("title", "body", "impact", "user_action")},
        "services": notice.services,
        "organisations": [o.code for o in notice.organisations.all()],
        "start": notice.start,
        "end": notice.end,
        "urgent": notice.urgent,
        "urgent_reason": notice.urgent_reason,
        "outside_window": notice.outside_window,
        "public": notice.public,
        "resolution": pick(notice.resolution),
        "resolved_at": notice.resolved_at,
        "incidents": [i.number for i in notice.incidents.all()],
        "updates": [
            {
                "body": pick(u.body),
                "at": u.created_at,
                "author": u.author.username if u.author else None,
            }
            for u in notice.updates.select_related("author")
        ],
        "created_at": notice.created_at,
        "updated_at": notice.updated_at,
    }


def window_occurrences(institution, since: dt.datetime, until: dt.datetime):
    """[(window, start, end)] of the institution's maintenance windows in [since, until)."""
    out = []
    for w in MaintenanceWindow.objects.filter(institution=institution, active=True):
        spec = w.spec()
        out += [(w, s, e) for s, e in spec.occurrences(since, until)]
    return sorted(out, key=lambda t: t[1])


def open_interruptions(institution):
    """The interruptions the institution's organisations reported, newest first."""
    return Interruption.objects.filter(institution=institution).select_related("organisation")


def get_interruption(user, row_id: int) -> Interruption:
    """The interruption of this id in one of the user's institutions, or NotFound."""
    row = (
        Interruption.objects.filter(pk=row_id, institution__in=institutions_of(user))
        .select_related("organisation", "institution", "acknowledged_by")
        .first()
    )
    if row is None:
        raise NotFound(_("No interruption #%(id)s.") % {"id": row_id})
    return row


def interruption_figures(institution, since: dt.datetime, until: dt.datetime) -> dict:
    """For the period statistics: notices of unplanned and planned interruptions in
    [since, until), and the minutes of outage, where planned work inside a maintenance
    window does not count (seed 002)."""
    notices = list(
        Notice.objects.filter(institution=institution, start__lt=until)
        .exclude(state=NoticeState.CANCELLED)
        .filter(Q(end__isnull=True) | Q(end__gt=since))
        .values_list("kind", "start", "end", "resolved_at")
    )
    spans = [(kind, start, end or resolved) for kind, start, end, resolved in notices]
    windows = [w.spec() for w in MaintenanceWindow.objects.filter(institution=institution)]
    until = min(until, timezone.now())
    return {
        "unplanned": sum(1 for s in spans if s[0] == "unplanned"),
        "planned": sum(1 for s in spans if s[0] == "planned"),
        "outage_minutes": rules.outage_minutes(spans, windows, since, until),
    }


def current(institution, now: dt.datetime | None = None):
    """The institution's notices in force now (published, started, not over)."""
    now = now or timezone.now()
    return list(
        Notice.objects.filter(institution=institution, state=NoticeState.PUBLISHED, start__lte=now)
        .filter(Q(end__isnull=True) | Q(end__gt=now))
        .order_by("start")[:5]
    )


def incident_panel(request, incident) -> list | None:
    """The incident page's notices panel: the notices that name it."""
    return list(incident.notices.all()) or None


def wallboard_panel(request, institution) -> list:
    """The wallboard's cell of notices in force (shown even when there is none)."""
    return current(institution)


def feed_owner(key: str):
    """The active user whose secret feed key this is (their notices and shifts feeds),
    or None."""
    row = FeedKey.objects.filter(key=key[:64]).select_related("user").first()
    return row.user if row is not None and row.user.is_active else None
