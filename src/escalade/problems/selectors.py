from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import belongs_to, has_permission
from escalade.actions import selectors as action_selectors
from escalade.actions.choices import ActionSource
from escalade.core.errors import NotFound

from .models import Problem


def get_problem(user, problem_id: int) -> Problem:
    """The problem of this id in one of the user's institutions (when their role may see
    problems), or NotFound."""
    problem = (
        Problem.objects.select_related("institution", "symptom", "assignee")
        .filter(pk=problem_id)
        .first()
    )
    if (
        problem is None
        or not belongs_to(user, problem.institution_id)
        or not has_permission(user, perms.PROBLEM_VIEW)
    ):
        raise NotFound(_("No problem #%(id)s.") % {"id": problem_id}, field="id")
    return problem


def problem_view(problem: Problem) -> dict:
    """One problem as the API shows it, with its incidents and measures."""
    return {
        "id": problem.pk,
        "title": problem.title,
        "state": problem.state,
        "symptom": problem.symptom.code if problem.symptom else None,
        "site": problem.site,
        "suspected_cause": problem.suspected_cause,
        "confirmed_cause": problem.confirmed_cause,
        "workaround": problem.workaround,
        "evidence": problem.evidence,
        "assignee": problem.assignee.get_username() if problem.assignee else None,
        "incidents": list(
            problem.links.order_by("incident__created_at").values_list(
                "incident__number", flat=True
            )
        ),
        "measures": [
            {
                "id": m.pk,
                "text": m.text,
                "owner": m.owner.get_username() if m.owner else None,
                "due": m.due,
                "state": m.state,
            }
            for m in action_selectors.of_source(ActionSource.PROBLEM, problem.pk)
        ],
        "created_at": problem.created_at,
        "closed_at": problem.closed_at,
    }
