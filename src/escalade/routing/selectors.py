"""Whom to contact, now: the plan for a question at an instant."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.catalog.models import Channel, Provider
from escalade.catalog.selectors import describe_schedule
from escalade.core import hours
from escalade.core.errors import Code, Invalid, NotFound, not_one_of
from escalade.core.i18n import pick

from . import rules
from .choices import Location, Need, Requester, Subject
from .errors import RoutingError
from .models import Chart

# Chart, providers and channels per institution, kept per process and keyed by the
# pack's digest (a new pack version changes it): a decision reads no table.
_CACHE: dict[tuple[int, str], dict] = {}


def _loaded(institution) -> dict:
    key = (institution.pk, institution.pack_digest)
    data = _CACHE.get(key)
    if data is None:
        chart = Chart.objects.filter(institution=institution).first()
        if chart is None:
            raise NotFound(
                _("Institution '%(code)s' has no routing chart.") % {"code": institution.code},
                field="institution",
                code=RoutingError.NO_CHART,
            )
        channels = {
            c.ref: c
            for c in Channel.objects.filter(
                provider__institution=institution, active=True
            ).select_related("provider")
        }
        data = {
            "chart": chart,
            "rows": {(r.requester, r.need, r.subject, r.location): r for r in chart.rows.all()},
            "providers": {p.code: p for p in Provider.objects.filter(institution=institution)},
            "channels": channels,
            "schedules": {ref: hours.Schedule.from_data(c.schedule) for ref, c in channels.items()},
        }
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = data
    return data


def _channel(data, ref_or_inline, at, institution) -> dict:
    if isinstance(ref_or_inline, str):
        c = data["channels"][ref_or_inline]
        schedule = data["schedules"][ref_or_inline]
        raw = {
            "kind": c.kind,
            "label": c.label,
            "value": c.value,
            "extension": c.extension,
            "path": c.path,
            "urgent_only": c.urgent_only,
            "schedule": c.schedule,
        }
    else:
        raw = ref_or_inline
        schedule = hours.Schedule.from_data(raw.get("schedule"))
    zone, calendar = institution.zone, institution.calendar
    nxt = hours.next_open(schedule, at, zone, calendar)
    value = raw.get("value")
    return {
        "kind": raw["kind"],
        "label": pick(raw.get("label")),
        "value": pick(value) if isinstance(value, dict) else value,
        "extension": raw.get("extension", ""),
        "path": pick(raw.get("path")),
        "hours": describe_schedule(raw.get("schedule")),
        "open_now": hours.is_open(schedule, at, zone, calendar),
        "next_open": nxt.astimezone(zone) if nxt else None,
        "urgent_only": bool(raw.get("urgent_only")),
    }


def _steps(data, steps, at, institution) -> list[dict]:
    out = []
    for step in steps:
        provider = data["providers"].get(step.get("provider") or "")
        out.append(
            {
                "provider": {"code": provider.code, "name": pick(provider.name)}
                if provider
                else None,
                "instruction": pick(step["instruction"]),
                "channels": [_channel(data, c, at, institution) for c in step.get("channels", [])],
            }
        )
    return out


def plan(institution, question: rules.Question, at: dt.datetime | None = None) -> dict:
    """The plan for `question` at `at` (default now): levels of steps with every channel
    marked open now or not, its next opening, urgent-only; notes and reminders."""
    errors = [
        e
        for field, value, valid in rules.invalid_fields(question)
        for e in not_one_of(field, value, valid)
    ]
    if errors:
        raise Invalid(errors=errors)
    at = at or timezone.now()
    data = _loaded(institution)
    row = rules.find_row(data["rows"], question)
    if row is None and rules.needs_location(question):
        raise Invalid(
            _("Say where the connection is: %(valid)s.") % {"valid": ", ".join(Location.values)},
            field="location",
            code=Code.REQUIRED,
        )
    answer = {
        "question": {
            "requester": {
                "code": question.requester,
                "label": str(Requester(question.requester).label),
            },
            "need": {"code": question.need, "label": str(Need(question.need).label)},
            "subject": {"code": question.subject, "label": str(Subject(question.subject).label)},
            "location": (
                {"code": question.location, "label": str(Location(question.location).label)}
                if question.location and question.subject == Subject.INTERNET_CONNECTION
                else None
            ),
        },
        "at": at.astimezone(institution.zone),
        "reminders": [pick(r) for r in data["chart"].reminders],
    }
    if row is None:
        answer.update(
            {
                "covered": False,
                "supported": False,
                "message": _("The chart does not cover this case. Start here:"),
                "levels": [
                    {
                        "level": 1,
                        "steps": _steps(
                            data,
                            data["chart"].fallback.get(question.requester, []),
                            at,
                            institution,
                        ),
                    }
                ],
                "notes": [],
                "source": "",
            }
        )
        return answer
    answer.update(
        {
            "covered": True,
            "supported": row.supported,
            "message": "" if row.supported else _("This case is not supported by the institution."),
            "levels": [
                {"level": lv["level"], "steps": _steps(data, lv["steps"], at, institution)}
                for lv in row.levels
            ],
            "notes": [pick(n) for n in row.notes],
            "source": row.source,
        }
    )
    return answer


def subjects_for(institution, requester: str, need: str) -> list[tuple[str, str]]:
    """The subjects the chart covers for requester x need, in the chart's order."""
    seen, out = set(), []
    for (r, n, s, _loc), _row in sorted(
        _loaded(institution)["rows"].items(), key=lambda kv: kv[1].position
    ):
        if r == requester and n == need and s not in seen:
            seen.add(s)
            out.append((s, str(Subject(s).label)))
    return out
