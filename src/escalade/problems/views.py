"""Pages: problems, their evidence and measures; one-click link from an incident."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from escalade.accounts import rules as perms
from escalade.accounts.web import current_institution, requires
from escalade.core.errors import NotFound
from escalade.core.web import act, done, posted_id, shows_errors
from escalade.incidents import selectors as incident_selectors

from . import selectors, services
from .models import Problem


@requires(perms.PROBLEM_VIEW)
@shows_errors
def problem_list(request):
    institution = current_institution(request)
    message = None
    if request.method == "POST":
        found = services.detect(
            institution, request.user, incremental=request.POST.get("full") != "1"
        )
        message = len(found)
    problems = Problem.objects.filter(institution=institution).select_related("symptom")[:300]
    return render(
        request,
        "problems/list.html",
        {"problems": problems, "institution": institution, "detected": message},
    )


def _update(request, problem):
    values = {
        k: request.POST.get(k, "") for k in ("suspected_cause", "confirmed_cause", "workaround")
    }
    if request.POST.get("state"):
        values["state"] = request.POST["state"]
    services.update(request.user, problem, values)
    return _("Saved.")


def _measure(request, problem):
    services.add_measure(request.user, problem, request.POST.get("text", ""))
    return _("Corrective measure added.")


def _measure_done(request, problem):
    item_id = posted_id(request, "measure")
    measure = next((m for m in services.measures_of(problem) if m.pk == item_id), None)
    if measure is None:
        raise NotFound(_("This measure is not one of this problem's."), field="measure")
    services.complete_measure(request.user, measure)
    return _("Corrective measure done.")


def _close(request, problem):
    services.close(request.user, problem)
    return _("Problem closed.")


# the buttons of the problem page: what each does; each returns the banner's message
_ACTIONS = {"update": _update, "measure": _measure, "done": _measure_done, "close": _close}


@requires(perms.PROBLEM_VIEW)
@shows_errors
def problem_detail(request, problem_id):
    problem = selectors.get_problem(request.user, problem_id)

    def page(status=200, error=None):
        context = {"problem": problem, "view": selectors.problem_view(problem), "error": error}
        return render(request, "problems/detail.html", context, status=status)

    if request.method != "POST":
        return page()
    do = _ACTIONS.get(request.POST.get("action", ""))
    if do is None:
        return page(422, _("Choose what to do."))
    return act(
        request,
        lambda _data: do(request, problem),
        page=page,
        then=lambda said: done(request, said, "problems:detail", problem_id=problem.pk),
    )


@requires(perms.PROBLEM_VIEW)
@require_POST
@shows_errors
def link_incident(request, problem_id, number):
    problem = selectors.get_problem(request.user, problem_id)
    services.link(request.user, problem, incident_selectors.find(request.user, number))
    return done(request, _("Incident linked to the problem."), "incidents:detail", number=number)
