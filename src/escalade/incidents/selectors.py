"""Read queries on incidents shared by pages, the API and reports."""

from __future__ import annotations

import datetime as dt

import phonenumbers
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.choices import Role
from escalade.accounts.services import has_permission, institutions_of, roles_of
from escalade.core import search as finders
from escalade.core.errors import NotFound
from escalade.core.models import AuditEvent

from . import rules
from . import search as search_index
from .choices import Status
from .models import (
    Assignment,
    DiagnosticGuide,
    Escalation,
    Incident,
    IncidentPolicy,
    Ticket,
)


def visible_incidents(user, institution) -> QuerySet[Incident]:
    """What `user` may read in `institution`: everything for staff, their own for requesters."""
    qs = Incident.objects.filter(institution=institution).select_related(
        "symptom", "ticket", "parent", "merged_into", "guide"
    )
    if has_permission(user, perms.VIEW_ALL):
        return qs
    return qs.filter(created_by=user)


def get_incident(user, institution, number: str) -> Incident:
    """The institution's incident of this number, or NotFound."""
    incident = visible_incidents(user, institution).filter(number=number).first()
    if incident is None:
        raise NotFound(_("No incident %(number)s.") % {"number": number}, field="number")
    return incident


def search(
    qs: QuerySet[Incident],
    *,
    level: int | None = None,
    severity: str | None = None,
    status: str | None = None,
    symptom: str | None = None,
    site: str | None = None,
    q: str | None = None,
    channel: str | None = None,
    phone: str | None = None,
    created_from=None,
    created_to=None,
    region: str | None = None,
    mail_text: bool = False,
) -> QuerySet[Incident]:
    """The incidents of `qs` that match every filter given (level, severity, status or
    "open", symptom, site, `q` read as the header's search box reads it, channel, phone,
    creation dates)."""
    if level:
        qs = qs.filter(level=level)
    if severity:
        qs = qs.filter(severity=severity)
    if status == "open":
        qs = qs.filter(status__in=Status.open_values())
    elif status:
        qs = qs.filter(status=status)
    if symptom:
        qs = qs.filter(symptom__code=symptom)
    if site:
        qs = qs.filter(requester_site__iexact=site)
    if channel:
        qs = qs.filter(channel=channel)
    if phone:
        qs = qs.filter(requester_phone=phone)
    if created_from is not None:
        qs = qs.filter(created_at__gte=created_from)
    if created_to is not None:
        qs = qs.filter(created_at__lt=created_to)
    if q:
        qs = matching(qs, q, region, mail_text)
    return qs


def by_reference(text: str) -> Q:
    """The incidents a number read out on the phone names: the incident's own number,
    its C2 ticket's, or a partner's ticket reference (BELL-INC-2026-88412).

    A reference is one word holding a digit; it is looked up as typed, in capitals and
    in small letters, each an index lookup: a case-insensitive comparison would read
    every incident (340 ms at 1,000,000 on PostgreSQL), and words are not references."""
    text = text.strip()
    if not text or len(text) > 80 or any(c.isspace() for c in text):
        return Q(pk__in=[])
    if not any(c.isdigit() for c in text):
        return Q(pk__in=[])
    forms = sorted({text, text.upper(), text.lower()})
    # one statement of three index lookups (an OR of the three in the incidents' WHERE
    # makes PostgreSQL read every incident)
    ids = (
        Incident.objects.filter(number__in=forms)
        .order_by()
        .values_list("pk", flat=True)
        .union(
            Ticket.objects.filter(number__in=forms)
            .order_by()
            .values_list("incident_id", flat=True),
            Escalation.objects.filter(external_ref__in=forms)
            .order_by()
            .values_list("incident_id", flat=True),
        )
    )
    return Q(pk__in=list(ids))


def matching(
    qs: QuerySet[Incident], text: str, region: str | None = None, mail_text: bool = False
) -> QuerySet[Incident]:
    """What `text` typed in a search means, the same for the header's search box, the
    queue and `GET /api/incidents?q=`: a number (incident, C2 ticket, partner's
    reference) finds its incident; a phone in any format finds that caller's incidents;
    anything else, the incidents whose words start with the words typed; with
    `mail_text` (a reader allowed to see personal health information), also those whose
    received e-mails contain every word."""
    text = (text or "").strip()[:200]
    if not text:
        return qs
    named = qs.filter(by_reference(text))
    if named.exists():
        return named
    phone = as_phone(text, region)
    if phone:
        return qs.filter(requester_phone=phone)
    expression = search_index.matches(text)
    if expression is None:
        expression = Q()
        for word in search_index.words(text):
            expression &= Q(search_text__contains=word)
    else:
        expression = Q(expression)
    if mail_text and search_index.words(text):
        mails = Incident.objects.filter(messages__direction="in")
        for word in search_index.words(text):
            mails = mails.filter(messages__text__icontains=word)
        expression |= Q(pk__in=mails.values("pk"))
    return qs.filter(expression)


def follow_up(institution, now: dt.datetime | None = None) -> QuerySet[Incident]:
    """Open incidents with no activity for longer than the pack's threshold, oldest first."""
    now = now or timezone.now()
    policy = IncidentPolicy.objects.filter(institution=institution).first()
    hours = policy.follow_up_hours if policy else 4
    return (
        Incident.objects.filter(
            institution=institution,
            status__in=Status.open_values(),
            updated_at__lt=now - dt.timedelta(hours=hours),
            parent__isnull=True,  # an attached call waits on its parent
        )
        .select_related("symptom", "ticket")
        .order_by("updated_at", "id")
    )


def assigned_to(user, institution) -> QuerySet[Incident]:
    """The open incidents assigned to the user, most urgent first."""
    return (
        Incident.objects.filter(
            institution=institution,
            status__in=Status.open_values(),
            assignments__user=user,
            assignments__active=True,
        )
        .select_related("symptom", "ticket")
        .distinct()
        .order_by("priority", "created_at")
    )


def team_levels(user, institution) -> list[int]:
    """The levels held by the user's roles, per the pack (level-1 agents -> [1], ...)."""
    policy = IncidentPolicy.objects.filter(institution=institution).first()
    if policy is None:
        return []
    mine = roles_of(user)
    return [lv["number"] for lv in policy.levels if mine & set(lv.get("holders", []))]


def team_queue(user, institution) -> QuerySet[Incident]:
    """The open incidents at the levels the user's roles hold, most urgent first."""
    levels = team_levels(user, institution)
    if not levels and Role.MANAGER in roles_of(user):
        levels = [1, 2, 3]
    return (
        Incident.objects.filter(
            institution=institution,
            status__in=Status.open_values(),
            level__in=levels,
            parent__isnull=True,  # an attached call is worked on through its parent
        )
        .select_related("symptom", "ticket")
        .order_by("priority", "created_at")
    )


def due_first(user, institution) -> QuerySet[Incident]:
    """The team's open incidents with a response clock running, the soonest due first
    (the on-call app keeps `due_at`)."""
    return team_queue(user, institution).filter(due_at__isnull=False).order_by("due_at", "id")


def requester_history(user, incident: Incident, limit: int = 10) -> QuerySet[Incident] | None:
    """The requester's other requests, for roles allowed to see them (None otherwise)."""
    if not has_permission(user, perms.REQUESTER_HISTORY):
        return None
    same = Q(requester_name__iexact=incident.requester_name)
    if incident.requester_phone:
        same |= Q(requester_phone=incident.requester_phone)
    return (
        Incident.objects.filter(same, institution=incident.institution_id)
        .exclude(pk=incident.pk)
        .select_related("symptom")
        .order_by("-created_at")[:limit]
    )


def returning_caller(user, institution, phone: str) -> dict | None:
    """What the call form offers once a phone is known: the caller's name, role and site
    from their last call, and their open incidents. None for an unknown phone, or for a
    role that may not see a requester's other requests."""
    if not phone or not has_permission(user, perms.REQUESTER_HISTORY):
        return None
    calls = Incident.objects.filter(institution=institution, requester_phone=phone)
    last = calls.order_by("-created_at", "-id").first()
    if last is None:
        return None
    return {
        "last": last,
        "open": list(
            calls.filter(status__in=Status.open_values())
            .select_related("symptom")
            .order_by("-created_at")[:10]
        ),
    }


def timeline(incident: Incident) -> QuerySet[AuditEvent]:
    """Every move on the incident, read from the audit log, with those of the incidents
    merged into it."""
    ids = merged_ids(incident)
    if len(ids) == 1:
        return AuditEvent.objects.for_object("incident", incident.pk).select_related("actor")
    return (
        AuditEvent.objects.filter(object_type="incident", object_id__in=[str(i) for i in ids])
        .select_related("actor")
        .order_by("at", "id")
    )


def merged_ids(incident: Incident) -> list[int]:
    """The incident and those merged into it, however deep."""
    ids, frontier = [incident.pk], [incident.pk]
    while frontier:
        frontier = list(
            Incident.objects.filter(merged_into__in=frontier).values_list("pk", flat=True)
        )
        ids.extend(frontier)
    return ids


def known_in_progress(
    institution, *, site: str = "", symptom: str = "", limit: int = 5
) -> list[dict]:
    """What the call form shows while the agent types: the major incidents in progress
    at the institution (an outage's among them) that match the call's site or symptom,
    best match first, each with its attached calls' count ("Known incident in progress:
    CCT-2026-000412, since 09:12"). An outage in progress is shown to every call."""
    rows = list(
        Incident.objects.filter(
            institution=institution,
            severity="major",
            status__in=Status.open_values(),
            parent__isnull=True,
            merged_into__isnull=True,
        )
        .select_related("symptom")
        .annotate(
            calls=Count("attached", distinct=True),
            outage=Count("outages", filter=Q(outages__closed_at__isnull=True), distinct=True),
        )
        .order_by("-id")[:50]
    )
    found = []
    for row in rows:
        match = rules.known_match(
            site=row.requester_site,
            symptom=row.symptom.code,
            outage=bool(row.outage),
            call_site=site,
            call_symptom=symptom,
        )
        if match:
            found.append(
                {"incident": row, "match": match, "calls": row.calls, "outage": bool(row.outage)}
            )
    found.sort(key=lambda f: (-rules.MATCH_RANK[f["match"]], -f["incident"].pk))
    return found[:limit]


def attached_calls(parent: Incident) -> QuerySet[Incident]:
    """The calls attached to `parent`, in the order they came."""
    return Incident.objects.filter(parent=parent).order_by("id")


def active_assignees(incident: Incident) -> list[dict]:
    """Who is assigned to the incident now: {role, user (username, None for a role)}."""
    return [
        {"role": a.role, "user": a.user.get_username() if a.user else None}
        for a in incident.assignments.filter(active=True).select_related("user").order_by("id")
    ]


def find(user, number: str) -> Incident:
    """The incident `number` among the user's institutions, or NotFound (also when it
    belongs to another institution: its existence is not disclosed)."""

    for institution in institutions_of(user):
        incident = visible_incidents(user, institution).filter(number=number).first()
        if incident is not None:
            return incident
    raise NotFound(_("No incident %(number)s.") % {"number": number}, field="number")


def assignees_by_incident(incidents) -> dict[int, list[dict]]:
    """Active assignees of many incidents in one query."""

    out: dict[int, list[dict]] = {}
    rows = (
        Assignment.objects.filter(incident__in=[i.pk for i in incidents], active=True)
        .select_related("user")
        .order_by("id")
    )
    for a in rows:
        out.setdefault(a.incident_id, []).append(
            {"role": a.role, "user": a.user.get_username() if a.user else None}
        )
    return out


def as_phone(text: str, region: str | None = None) -> str | None:
    """`text` as an E.164 phone when it reads as one where the institution is (in Canada
    514-934-1934, (514) 934-1934, +15149341934, 1 866 250-1554; in France 05 59 92 48 48),
    else None."""

    text = (text or "").strip()
    digits = sum(c.isdigit() for c in text)
    if digits < 7 or any(c.isalpha() for c in text):
        return None
    try:
        number = phonenumbers.parse(text, region or "CA")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def quick_find(user, institution, text: str) -> tuple[str, object]:
    """What the header's one search box means: an incident number, a ticket number, a
    session reference (#12 or the scheduling reference), a phone number, else words.
    Returns (kind, target): ("incident", number), ("page", url) for what another app
    recognises (core/search.py), ("phone", e164) or ("words", text). Only what the user may see is found."""

    text = (text or "").strip()[:200]
    if not text:
        return "words", ""
    for inst in [institution, *[i for i in institutions_of(user) if i.pk != institution.pk]]:
        hit = visible_incidents(user, inst).filter(by_reference(text)).first()
        if hit is not None:
            return "incident", hit.number
    url = finders.find(user, institution, text)  # a session's reference, ...
    if url:
        return "page", url
    phone = as_phone(text, institution.region)
    if phone:
        return "phone", phone
    return "words", text


def open_majors(institution, now: dt.datetime | None = None) -> dict:
    """Open major incidents by level, and the oldest of them with their age: the
    coordination centre's wallboard."""

    now = now or timezone.now()
    qs = Incident.objects.filter(
        institution=institution,
        severity="major",
        status__in=Status.open_values(),
        parent__isnull=True,  # an attached call is one of its parent's calls, not a major
    )
    by_level = dict(qs.values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    oldest = [
        {"incident": i, "age_min": int((now - i.created_at).total_seconds() // 60)}
        for i in qs.select_related("ticket")
        .annotate(calls=Count("attached", distinct=True))
        .order_by("created_at")[:6]
    ]
    return {
        "levels": [(level, by_level.get(level, 0)) for level in (1, 2, 3)],
        "total": sum(by_level.values()),
        "oldest": oldest,
        # the calls attached to them: forty clinicians, one bridge
        "attached": Incident.objects.filter(
            institution=institution, parent__in=qs.values("pk")
        ).count(),
    }


# -- level 1's diagnostic guides ----------------------------------------------------


def current_guide(institution, symptom: str) -> DiagnosticGuide | None:
    """The guide the call form opens for this symptom (its current version)."""
    if not symptom:
        return None
    return (
        DiagnosticGuide.objects.filter(institution=institution, symptom__code=symptom, current=True)
        .select_related("symptom")
        .first()
    )


def guides_of(institution, symptom: str | None = None) -> list[DiagnosticGuide]:
    """The institution's guides (every version, the current first per symptom)."""
    qs = DiagnosticGuide.objects.filter(institution=institution).select_related("symptom")
    if symptom:
        qs = qs.filter(symptom__code=symptom)
    return list(qs.order_by("symptom__position", "symptom__code", "-version"))


def guide_stats(guides: list[DiagnosticGuide], since=None, until=None) -> dict[int, dict]:
    """Per guide version: how many calls were solved at each step, and how many calls of
    its symptom were logged while it was current (so the centre sees which checks work)."""
    solved = Incident.objects.filter(guide__in=guides)
    if since is not None:
        solved = solved.filter(created_at__gte=since, created_at__lt=until)
    counts: dict[tuple[int, int], int] = {
        (g, s): n
        for g, s, n in solved.values_list("guide_id", "guide_step")
        .annotate(n=Count("id"))
        .values_list("guide_id", "guide_step", "n")
    }
    out = {}
    for guide in guides:
        later = next(
            (
                g.created_at
                for g in guides
                if g.symptom_id == guide.symptom_id and g.version == guide.version + 1
            ),
            None,
        )
        calls = Incident.objects.filter(
            symptom_id=guide.symptom_id, created_at__gte=guide.created_at
        )
        if later is not None:
            calls = calls.filter(created_at__lt=later)
        if since is not None:
            calls = calls.filter(created_at__gte=since, created_at__lt=until)
        steps = [
            {"step": i + 1, "text": text, "solved": counts.get((guide.pk, i + 1), 0)}
            for i, text in enumerate(guide.step_texts())
        ]
        out[guide.pk] = {
            "steps": steps,
            "solved": sum(s["solved"] for s in steps),
            "calls": calls.count(),
        }
    return out
