"""Every write on problems: detection, acceptance, links, merges, measures, closure."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import has_permission, require
from escalade.actions import selectors as action_selectors
from escalade.actions import services as actions
from escalade.actions.choices import ActionSource, ActionState
from escalade.actions.models import ActionItem
from escalade.core import audit, packs
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Invalid, not_one_of
from escalade.core.i18n import pick
from escalade.core.text import normalize
from escalade.incidents.models import Incident, SymptomCategory

from . import rules, sql
from .choices import ProblemState
from .errors import ProblemError
from .models import DetectionCursor, Problem, ProblemLink

CHANGE = "change_problem"
LINK = "add_problemlink"


def settings_of(institution) -> dict:
    """The institution's problem-detection settings (pack data, with defaults)."""
    return packs.setting_of(institution, "problems").model_dump()


def _it_technician(institution):
    return (
        get_user_model()
        .objects.filter(
            is_active=True, groups__name="it_technician", memberships__institution=institution
        )
        .order_by("id")
        .first()
    )


def detect(institution, actor=None, incremental: bool = True) -> list[Problem]:
    """Propose problems for groups of alike incidents. Incremental runs look only at the
    incidents logged since the last run (with the window's history behind them)."""
    if actor is not None:  # else the scheduled detection
        require(actor, CHANGE, institution)
    conf = settings_of(institution)
    cursor, _ = DetectionCursor.objects.get_or_create(institution=institution)
    qs = Incident.objects.filter(institution=institution).select_related("symptom")
    new = qs.filter(pk__gt=cursor.last_incident_id) if incremental else qs
    newest = new.order_by("-pk").values_list("pk", flat=True).first()
    if newest is None:
        return []
    oldest_new = new.order_by("created_at").values_list("created_at", flat=True).first()
    window = dt.timedelta(days=conf["window_days"])
    linked = ProblemLink.objects.filter(problem__state__in=ProblemState.active()).values("incident")
    pool = qs.filter(created_at__gte=oldest_new - window).exclude(pk__in=linked)
    new_ids = set(new.values_list("pk", flat=True)) if incremental else None
    # Plain tuples, not model instances: a full run reads every incident of the window.
    items = [
        rules.Item(pk, symptom, site, at, f"{summary} {description}")
        for pk, symptom, site, at, summary, description in pool.values_list(
            "pk", "symptom__code", "requester_site", "created_at", "summary", "description"
        ).iterator(chunk_size=20000)
    ]
    groups = [
        g
        for g in rules.groups(
            items,
            window_days=conf["window_days"],
            min_size=conf["threshold"],
            min_similarity=conf["similarity"],
        )
        if new_ids is None or new_ids & {i.id for i in g.items}
    ]
    with transaction.atomic():
        proposals = _propose_all(institution, groups, actor)
        cursor.last_incident_id, cursor.ran_at = newest, timezone.now()
        cursor.save()
    return proposals


def _propose_all(institution, groups: list[rules.Group], actor) -> list[Problem]:
    """Create the proposals, their links and audit events in a few statements."""

    if not groups:
        return []
    symptoms = {c.code: c for c in SymptomCategory.objects.filter(institution=institution)}
    ids = [i.id for g in groups for i in g.items]
    numbers: dict[int, str] = {}
    for chunk in range(0, len(ids), 5000):
        numbers.update(
            Incident.objects.filter(pk__in=ids[chunk : chunk + 5000]).values_list("pk", "number")
        )
    assignee = _it_technician(institution)
    problems = [
        Problem(
            institution=institution,
            title=f"{pick(symptoms[g.symptom].label)} — {g.site}",
            symptom=symptoms[g.symptom],
            site=g.site,
            assignee=assignee,
            evidence={
                "incidents": [numbers[i.id] for i in g.items],
                "shared": {"symptom": g.symptom, "site": g.site},
                "similarity": g.similarity,
                "from": g.items[0].at.isoformat(),
                "to": g.items[-1].at.isoformat(),
            },
        )
        for g in groups
    ]
    Problem.objects.bulk_create(problems, batch_size=1000)
    _insert_links(
        [(p.pk, i.id) for p, g in zip(problems, groups, strict=True) for i in g.items], actor
    )
    audit.record_many(
        [
            audit.event(
                action=AuditAction.CREATED,
                obj=p,
                actor=actor,
                institution=institution,
                data=p.evidence,
            )
            for p in problems
        ]
    )
    return problems


def _insert_links(pairs: list[tuple[int, int]], actor) -> None:
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    sql.insert_links(pairs, actor_id, timezone.now())


def update(actor, problem: Problem, values: dict) -> Problem:
    """Accept or reject a proposal, edit causes and workaround (a workaround makes it a
    known error, offered to level 1 on matching incidents)."""
    require(actor, CHANGE, problem.institution)
    allowed = {"title", "suspected_cause", "confirmed_cause", "workaround", "state", "assignee"}
    unknown = set(values) - allowed
    if unknown:
        raise Invalid(
            errors=[(f, _("Unknown field."), Code.UNKNOWN_FIELD) for f in sorted(unknown)]
        )
    state = values.get("state")
    wanted = [ProblemState.OPEN, ProblemState.KNOWN_ERROR, ProblemState.REJECTED]
    if state is not None and (wrong := not_one_of("state", state, wanted)):
        raise Invalid(errors=wrong)
    with transaction.atomic():
        problem = audit.locked(problem)
        if problem.state in (ProblemState.CLOSED, ProblemState.MERGED):
            raise Conflict(_("This problem is closed."), field="state", code=Code.NOT_ALLOWED_NOW)
        if values.get("workaround") and rules.TRANSITIONS.target("known_error", problem.state):
            values.setdefault("state", ProblemState.KNOWN_ERROR)
        if values.get("state") not in (None, problem.state):
            # the state moves only through the transition table
            if rules.TRANSITIONS.action_to(problem.state, values["state"]) is None:
                raise Conflict(
                    _("A problem that is %(current)s cannot become %(wanted)s.")
                    % {
                        "current": ProblemState(problem.state).label,
                        "wanted": ProblemState(values["state"]).label,
                    },
                    field="state",
                    code=Code.NOT_ALLOWED_NOW,
                )
        audit.change(
            problem,
            action=AuditAction.PROBLEM_CHANGED,
            actor=actor,
            quiet={"updated_at": timezone.now()},
            **values,
        )
    return problem


def link(actor, problem: Problem, incident: Incident) -> ProblemLink:
    """Link an incident to an open problem (audited); Conflict (already_linked) the second time."""
    require(actor, LINK, problem.institution)
    if incident.institution_id != problem.institution_id:
        raise Invalid(
            _("The incident belongs to another institution."),
            field="incident",
            code=Code.OTHER_INSTITUTION,
        )
    if problem.state not in ProblemState.active():
        raise Conflict(_("This problem is closed."), field="state", code=Code.NOT_ALLOWED_NOW)
    with transaction.atomic():
        row, created = ProblemLink.objects.get_or_create(
            problem=problem, incident=incident, defaults={"linked_by": actor}
        )
        if not created:
            raise Conflict(
                _("The incident is linked already."),
                field="incident",
                code=ProblemError.ALREADY_LINKED,
            )
        audit.record(
            action=AuditAction.LINKED,
            obj=problem,
            actor=actor,
            institution=problem.institution,
            data={"linked": incident.number},
        )
    return row


def unlink(actor, problem: Problem, incident: Incident) -> None:
    """Unlink an incident from a problem (audited); Conflict (not_linked) when it was not."""
    require(actor, CHANGE, problem.institution)
    with transaction.atomic():
        deleted, _n = ProblemLink.objects.filter(problem=problem, incident=incident).delete()
        if not deleted:
            raise Conflict(
                _("The incident is not linked to this problem."),
                field="incident",
                code=ProblemError.NOT_LINKED,
            )
        audit.record(
            action=AuditAction.UNLINKED,
            obj=problem,
            actor=actor,
            institution=problem.institution,
            data={"unlinked": incident.number},
        )


def merge(actor, source: Problem, target: Problem) -> Problem:
    """Move the source's incidents and measures to the target; the source ends merged."""
    require(actor, CHANGE, target.institution)
    if source.pk == target.pk or source.institution_id != target.institution_id:
        raise Invalid(
            _("Merge two different problems of one institution."),
            field="into",
            code=ProblemError.MERGE_INVALID,
        )
    with transaction.atomic():
        source, target = audit.locked(source), audit.locked(target)
        have = set(target.links.values_list("incident_id", flat=True))
        moved = [lk.incident_id for lk in source.links.all() if lk.incident_id not in have]
        ProblemLink.objects.bulk_create(
            [ProblemLink(problem=target, incident_id=i, linked_by=actor) for i in moved]
        )
        source.links.all().delete()
        actions.move_to(
            ActionSource.PROBLEM,
            source.pk,
            target.pk,
            label=target.label,
            link=f"/problems/{target.pk}/",
        )
        audit.change(
            source,
            action=AuditAction.CLOSED,
            actor=actor,
            data={"merged_into": target.pk},
            state=rules.TRANSITIONS.move("merge", source.state, _("This problem is closed.")),
            merged_into=target,
            closed_at=timezone.now(),
        )
        audit.record(
            action=AuditAction.MERGED,
            obj=target,
            actor=actor,
            institution=target.institution,
            data={"merged_from": source.pk, "incidents": len(moved)},
        )
    return target


def add_measure(
    actor, problem: Problem, text: str, owner=None, due: dt.date | None = None
) -> ActionItem:
    """Add a corrective measure to a problem: an action item (actions app) with its owner
    and due date when known, audited on the problem; its owner is told and reminded."""
    require(actor, CHANGE, problem.institution)
    if not (text or "").strip():
        raise Invalid(_("Describe the corrective measure."), field="text", code=Code.REQUIRED)
    return actions.add(
        actor,
        problem,
        source=ActionSource.PROBLEM,
        text=text,
        owner=owner,
        due=due,
        link=f"/problems/{problem.pk}/",
        label=problem.label,
        need_owner=False,
    )


def measures_of(problem: Problem) -> list[ActionItem]:
    """The problem's corrective measures (its action items)."""
    return action_selectors.of_source(ActionSource.PROBLEM, problem.pk)


def measure_of(problem: Problem, item_id: int) -> ActionItem:
    """One of the problem's measures, or Invalid on `complete_measures`."""
    item = next((m for m in measures_of(problem) if m.pk == item_id), None)
    if item is None:
        raise Invalid(
            _("No measure #%(id)s.") % {"id": item_id},
            field="complete_measures",
            code=ProblemError.UNKNOWN_MEASURE,
        )
    return item


def complete_measure(actor, measure: ActionItem) -> ActionItem:
    """Mark a corrective measure done (audited on its problem)."""
    problem = Problem.objects.get(pk=measure.source_id)
    require(actor, CHANGE, problem.institution)
    return actions.complete(actor, measure, about=problem)


def close(actor, problem: Problem, now: dt.datetime | None = None) -> Problem:
    """Close when every measure is done and no incident was linked for the quiet period."""
    require(actor, CHANGE, problem.institution)
    now = now or timezone.now()
    quiet = dt.timedelta(days=settings_of(problem.institution)["quiet_days"])
    with transaction.atomic():
        problem = audit.locked(problem)
        measures = [m for m in measures_of(problem) if m.state != ActionState.CANCELLED]
        if not measures or any(m.state != ActionState.DONE for m in measures):
            raise Conflict(
                _("Close a problem once its corrective measures are done."),
                field="measures",
                code=ProblemError.MEASURES_OPEN,
            )
        last = (
            problem.links.order_by("-incident__created_at")
            .values_list("incident__created_at", flat=True)
            .first()
        )
        if last is not None and now - last < quiet:
            raise Conflict(
                _("An incident was linked less than %(days)s days ago.") % {"days": quiet.days},
                field="state",
                code=ProblemError.NOT_QUIET,
            )
        target = rules.TRANSITIONS.move(
            "close", problem.state, _("Only an open problem or a known error can be closed.")
        )
        audit.change(problem, action=AuditAction.CLOSED, actor=actor, state=target, closed_at=now)
    return problem


def suggestions(incident: Incident) -> list[Problem]:
    """Open problems a new incident looks like (same symptom and site, similar text)."""
    conf = settings_of(incident.institution)
    out = []
    candidates = Problem.objects.filter(
        institution=incident.institution,
        state__in=[ProblemState.OPEN, ProblemState.KNOWN_ERROR],
        symptom=incident.symptom,
    ).exclude(links__incident=incident)
    for problem in candidates:
        if normalize(problem.site).strip() != normalize(incident.requester_site).strip():
            continue
        texts = Incident.objects.filter(problem_links__problem=problem).values_list(
            "summary", "description"
        )[:20]
        best = max(
            (
                rules.similarity(f"{incident.summary} {incident.description}", f"{s} {d}")
                for s, d in texts
            ),
            default=0,
        )
        if best >= conf["similarity"]:
            out.append(problem)
    return out


def create(
    actor, institution, title: str, incidents: list[Incident], suspected_cause: str = ""
) -> Problem:
    """Open a problem by hand, with its incidents, in one transaction."""
    require(actor, CHANGE, institution)
    if not (title or "").strip():
        raise Invalid(_("This field is required."), field="title", code=Code.REQUIRED)
    with transaction.atomic():
        problem = Problem.objects.create(
            institution=institution,
            title=title.strip(),
            state=ProblemState.OPEN,
            suspected_cause=suspected_cause,
            symptom=incidents[0].symptom if incidents else None,
            site=incidents[0].requester_site if incidents else "",
            assignee=_it_technician(institution),
        )
        audit.record(
            action=AuditAction.CREATED,
            obj=problem,
            actor=actor,
            institution=institution,
            data={"title": problem.title},
        )
        for incident in incidents:
            link(actor, problem, incident)
    return problem


def incident_panel(request, incident: Incident) -> dict | None:
    """The incident page's problems panel (registered in apps.py): the problems linked to
    it, and the open ones it looks like (one click to link); only for those who see
    problems, and only when there is one."""
    if not has_permission(request.user, perms.PROBLEM_VIEW):
        return None
    linked = list(Problem.objects.filter(links__incident=incident))
    suggested = suggestions(incident) if incident.is_open else []
    return {"linked": linked, "suggested": suggested} if linked or suggested else None
