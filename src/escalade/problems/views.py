"""Pages: problems, their evidence and measures; one-click link from an incident."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from escalade.accounts import rules as perms
from escalade.accounts.web import current_institution, requires
from escalade.core.errors import DomainError, NotFound
from escalade.core.web import done, posted_id
from escalade.incidents import selectors as incident_selectors

from . import selectors, services
from .models import CorrectiveMeasure, Problem


@requires(perms.PROBLEM_VIEW)
def problem_list(request):
    institution = current_institution(request)
    message = None
    if request.method == "POST":
        try:
            found = services.detect(
                institution, request.user, incremental=request.POST.get("full") != "1"
            )
            message = len(found)
        except DomainError as exc:
            return render(
                request, "incidents/not_found.html", {"message": exc.message}, status=exc.status
            )
    problems = Problem.objects.filter(institution=institution).select_related("symptom")[:300]
    return render(
        request,
        "problems/list.html",
        {"problems": problems, "institution": institution, "detected": message},
    )


@requires(perms.PROBLEM_VIEW)
def problem_detail(request, problem_id):
    try:
        problem = selectors.get_problem(request.user, problem_id)
    except NotFound as exc:
        return render(request, "incidents/not_found.html", {"message": exc.message}, status=404)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "update":
                values = {
                    k: request.POST.get(k, "")
                    for k in ("suspected_cause", "confirmed_cause", "workaround")
                }
                if request.POST.get("state"):
                    values["state"] = request.POST["state"]
                services.update(request.user, problem, values)
            elif action == "measure":
                services.add_measure(request.user, problem, request.POST.get("text", ""))
            elif action == "done":
                services.complete_measure(
                    request.user,
                    CorrectiveMeasure.objects.get(
                        pk=posted_id(request, "measure"), problem=problem
                    ),
                )
            elif action == "close":
                services.close(request.user, problem)
            said = {
                "measure": _("Corrective measure added."),
                "done": _("Corrective measure done."),
                "close": _("Problem closed."),
            }.get(action, _("Saved."))
            return done(request, said, "problems:detail", problem_id=problem.pk)
        except (DomainError, CorrectiveMeasure.DoesNotExist) as exc:
            error = getattr(exc, "message", str(exc))
    return render(
        request,
        "problems/detail.html",
        {"problem": problem, "view": selectors.problem_view(problem), "error": error},
        status=422 if error else 200,
    )


@requires(perms.PROBLEM_VIEW)
@require_POST
def link_incident(request, problem_id, number):
    try:
        problem = selectors.get_problem(request.user, problem_id)
        services.link(request.user, problem, incident_selectors.find(request.user, number))
    except DomainError as exc:
        return render(
            request, "incidents/not_found.html", {"message": exc.message}, status=exc.status
        )
    return done(request, _("Incident linked to the problem."), "incidents:detail", number=number)
