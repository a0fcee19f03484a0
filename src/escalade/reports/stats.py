"""Statistics of incidents for a period (seed 000 step 12) and the follow-up report.

Every figure comes with the filters that reproduce the incidents behind it."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Aggregate,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Cast

from escalade.actions import selectors as action_selectors
from escalade.core.fiscal import Period, parse_code, periods
from escalade.core.i18n import pick
from escalade.core.models import AuditEvent
from escalade.core.replica import heavy_read
from escalade.incidents import selectors as incident_selectors
from escalade.incidents.choices import Channel, Level, Severity, Status
from escalade.incidents.models import (
    Assignment,
    Escalation,
    Incident,
    IncidentPolicy,
    SymptomCategory,
)
from escalade.notices.selectors import interruption_figures
from escalade.oncall.selectors import clock_figures
from escalade.runbooks.selectors import outage_figures
from escalade.telesessions.models import FollowUpTask, Protocol


@dataclass(frozen=True)
class Range:
    start: dt.date
    end: dt.date  # inclusive
    label: str

    def previous(self) -> Range:
        length = (self.end - self.start).days + 1
        end = self.start - dt.timedelta(days=1)
        return Range(end - dt.timedelta(days=length - 1), end, "")


def period_range(code: str) -> tuple[Range, Period]:
    year, number = parse_code(code)
    period = periods(year)[number - 1]
    return Range(period.start, period.end, period.code), period


def _bounds(institution, r: Range) -> tuple[dt.datetime, dt.datetime]:
    zone = institution.zone
    start = dt.datetime.combine(r.start, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(r.end + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start, end


def incidents_in(institution, r: Range, site: str = "", symptom: str = ""):
    start, end = _bounds(institution, r)
    # a merged incident is counted in the one kept
    qs = Incident.objects.filter(
        institution=institution,
        created_at__gte=start,
        created_at__lt=end,
        merged_into__isnull=True,
    )
    if site:
        qs = qs.filter(requester_site__iexact=site)
    if symptom:
        qs = qs.filter(symptom__code=symptom)
    return qs


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


class _Percentile(Aggregate):
    """PostgreSQL's percentile_cont over an interval, in seconds."""

    function = "percentile_cont"
    template = "%(function)s(%(p)s) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    output_field = FloatField()

    def __init__(self, expression, p: float, **extra):
        super().__init__(expression, p=p, **extra)


def _durations_in_db(qs, start_expr, end_expr) -> dict:
    """Count, median and 90th percentile of end - start, in minutes."""
    if connection.vendor == "postgresql":
        interval = ExpressionWrapper(end_expr - start_expr, output_field=DurationField())
        agg = (
            qs.annotate(_d=interval)
            .filter(_d__isnull=False, _d__gte=dt.timedelta(0))
            .aggregate(
                count=Count("pk"), median=_Percentile(F("_d"), 0.5), p90=_Percentile(F("_d"), 0.9)
            )
        )
        return {
            "count": agg["count"],
            "median_min": round(agg["median"] / 60, 1) if agg["median"] is not None else None,
            "p90_min": round(agg["p90"] / 60, 1) if agg["p90"] is not None else None,
        }
    pairs = qs.annotate(_a=start_expr, _b=end_expr).values_list("_a", "_b")
    return _durations(pairs)


def _durations(pairs) -> dict:
    minutes = [(b - a).total_seconds() / 60 for a, b in pairs if a and b and b >= a]
    return {
        "count": len(minutes),
        "median_min": round(statistics.median(minutes), 1) if minutes else None,
        "p90_min": round(_percentile(minutes, 90), 1) if minutes else None,
    }


RESPONSES = ["started", "escalated", "note_added", "resolved"]


@heavy_read
def figures(institution, r: Range, site: str = "", symptom: str = "") -> dict:
    """The statistics of a range: counts by severity, category, level, channel; first-call
    resolution; time to first response and to resolution; sessions, patients, safety."""
    qs = incidents_in(institution, r, site, symptom)
    base = {
        "from": r.start.isoformat(),
        "to": r.end.isoformat(),
        **({"site": site} if site else {}),
        **({"symptom": symptom} if symptom else {}),
    }
    # One pass over the period: counts per (category, severity, level, channel), with the
    # first-call and patient-safety counts alongside; the breakdowns are summed from it.
    groups = qs.values("symptom_id", "severity", "level", "channel").annotate(
        n=Count("id"),
        first_call=Count("id", filter=Q(resolved_on_first_call=True)),
        safety=Count("id", filter=~Q(patient_safety="")),
        # calls attached to a major incident in progress: counted as such, not as majors
        attached=Count("id", filter=Q(parent__isnull=False)),
    )
    cats = {c.pk: c for c in SymptomCategory.objects.filter(institution=institution)}
    by_sev: dict[str, int] = {}
    by_cat: dict[str, dict] = {}
    levels: dict[int, int] = {}
    channels: dict[str, int] = {}
    first_call = safety = attached = 0
    for g in groups:
        n = g["n"]
        attached += g["attached"]
        by_sev[g["severity"]] = by_sev.get(g["severity"], 0) + n - g["attached"]
        cat = cats.get(g["symptom_id"])
        code = cat.code if cat else str(g["symptom_id"])
        row = by_cat.setdefault(
            code,
            {
                "code": code,
                "label": pick(cat.label) if cat else code,
                "minor": 0,
                "major": 0,
                "attached": 0,
                "filters": {**base, "symptom": code},
            },
        )
        row[g["severity"]] += n - g["attached"]
        row["attached"] += g["attached"]
        levels[g["level"]] = levels.get(g["level"], 0) + n
        channels[g["channel"]] = channels.get(g["channel"], 0) + n
        first_call += g["first_call"]
        safety += g["safety"]
    total = sum(by_sev.values()) + attached
    by_level = [
        {"level": lv, "label": str(Level(lv).label), "count": n, "filters": {**base, "level": lv}}
        for lv, n in sorted(levels.items())
    ]
    by_channel = [
        {
            "channel": ch,
            "label": str(Channel(ch).label),
            "count": n,
            "filters": {**base, "channel": ch},
        }
        for ch, n in sorted(channels.items())
    ]
    first_response = (
        AuditEvent.objects.filter(object_type="incident", object_id=Cast_id(), action__in=RESPONSES)
        .order_by("at")
        .values("at")[:1]
    )
    response_times = _durations_in_db(qs, F("created_at"), Subquery(first_response))
    resolution_times = _durations_in_db(
        qs.filter(resolved_at__isnull=False), F("created_at"), F("resolved_at")
    )

    start, end = _bounds(institution, r)
    protocols = Protocol.objects.filter(
        session__institution=institution, started_at__gte=start, started_at__lt=end
    )
    cancelled = protocols.filter(state="cancelled").values("session")
    return {
        "period": r.label or None,
        "from": r.start,
        "to": r.end,
        "total": total,
        "minor": by_sev.get(Severity.MINOR, 0),
        "major": by_sev.get(Severity.MAJOR, 0),
        "attached_calls": attached,
        "filters": base,
        "by_category": sorted(by_cat.values(), key=lambda row: -(row["minor"] + row["major"])),
        "by_level": by_level,
        "by_channel": by_channel,
        "first_call_resolved": first_call,
        "first_call_resolution_rate": round(first_call / total, 3) if total else None,
        "time_to_first_response": response_times,
        "time_to_resolution": resolution_times,
        "sessions_with_trouble": protocols.values("session").distinct().count(),
        "sessions_cancelled": cancelled.distinct().count(),
        "patients_affected": FollowUpTask.objects.filter(
            session__in=cancelled, kind="call_back_patient"
        ).count(),
        "patient_safety_events": safety,
        "service_interruptions": interruption_figures(institution, start, end),
        "outages": outage_figures(institution, start, end),
        "response_targets": clock_figures(institution, start, end),
        # level 1's diagnostic guides: the calls of the period solved at each step
        "guides": _guide_figures(institution, start, end),
        # the action items asked for in the period, and those overdue now
        "action_items": action_selectors.counts(
            institution, action_selectors.local_today(institution), start, end
        ),
        "overdue_actions": [
            {
                "id": a.pk,
                "text": a.text,
                "source": a.source_label,
                "link": a.link,
                "owner": a.owner.get_username() if a.owner_id else None,
                "due": a.due,
            }
            for a in action_selectors.overdue(
                institution, action_selectors.local_today(institution)
            )[:50]
        ],
    }


def _guide_figures(institution, start, end) -> list[dict]:
    guides = [g for g in incident_selectors.guides_of(institution) if g.current]
    stats = incident_selectors.guide_stats(guides, start, end)
    return [
        {
            "symptom": g.symptom.code,
            "label": pick(g.symptom.label),
            "version": g.version,
            **stats[g.pk],
        }
        for g in guides
    ]


def Cast_id():  # noqa: N802 - an expression factory, read like a column
    """The incident's id as the audit log stores it (text)."""

    return Cast(OuterRef("pk"), output_field=CharField())


def follow_up_report(institution, now: dt.datetime, stale_hours: float | None = None) -> dict:
    """Level 1's follow-up report: open requests per assignee, untouched for too long,
    and those waiting for an external partner (level 3 with a partner engaged)."""

    policy = IncidentPolicy.objects.filter(institution=institution).first()
    hours = stale_hours or (policy.follow_up_hours if policy else 4)
    open_qs = Incident.objects.filter(institution=institution, status__in=Status.open_values())
    per_agent = list(
        Assignment.objects.filter(incident__in=open_qs, active=True, user__isnull=False)
        .values("user__username")
        .annotate(n=Count("incident", distinct=True))
        .order_by("-n", "user__username")
    )
    stale = open_qs.filter(updated_at__lt=now - dt.timedelta(hours=hours)).order_by("updated_at")
    waiting = (
        open_qs.filter(
            Q(level=3) & Q(pk__in=Escalation.objects.exclude(partner="").values("incident"))
        )
        .annotate(since=Min("escalations__at"))
        .order_by("since")
    )
    today = now.astimezone(institution.zone).date()
    return {
        "per_agent": per_agent,
        "stale": list(stale[:200]),
        "waiting_partner": list(waiting[:200]),
        "stale_hours": hours,
        # what the major-incident reports and the problems asked for, past its date
        "overdue_actions": list(action_selectors.overdue(institution, today)[:200]),
    }


GROUP_BY = {
    "site": "requester_site",
    "symptom": "symptom__code",
    "level": "level",
    "channel": "channel",
}


@heavy_read
def grouped(institution, r: Range, by: str, site: str = "", symptom: str = "") -> list[dict]:
    """Minor and major counts per site, symptom, level or channel."""
    field = GROUP_BY[by]
    rows: dict = {}
    qs = incidents_in(institution, r, site, symptom)
    for value, severity, n, attached in (
        qs.values_list(field, "severity")
        .annotate(n=Count("id"), attached=Count("id", filter=Q(parent__isnull=False)))
        .values_list(field, "severity", "n", "attached")
    ):
        row = rows.setdefault(value, {by: value, "minor": 0, "major": 0, "attached": 0})
        row[severity] += n - attached
        row["attached"] += attached
    return sorted(rows.values(), key=lambda row: -(row["minor"] + row["major"]))
