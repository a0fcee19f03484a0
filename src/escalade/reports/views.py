from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from escalade.core.errors import DomainError, NotFound
from escalade.incidents import selectors as incident_selectors
from escalade.incidents.forms import show_errors

from . import services
from .forms import MajorReportForm
from .pdf import major_report_pdf


def _report(request, number):
    incident = incident_selectors.find(request.user, number)
    if incident.severity != "major":
        raise NotFound(number, field="number")
    return services.ensure_draft(incident)


@login_required
def major_report(request, number):
    try:
        report = _report(request, number)
    except NotFound as exc:
        return render(request, "incidents/not_found.html", {"message": exc.message}, status=404)
    initial = {f: getattr(report, f) for f in services.EDITABLE}
    initial["distribution"] = "\n".join(report.distribution)
    form = MajorReportForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update(request.user, report, form.cleaned_data)
                return redirect("reports:major", number=number)
            except DomainError as exc:
                show_errors(form, exc)
        status = 422
    return render(
        request,
        "reports/major.html",
        {"report": report, "form": form, "incident": report.incident},
        status=status,
    )


@login_required
def major_report_download(request, number):
    try:
        report = _report(request, number)
    except NotFound as exc:
        return render(request, "incidents/not_found.html", {"message": exc.message}, status=404)
    response = HttpResponse(major_report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.incident.number}.pdf"'
    return response


@login_required
def declaration(request, number):
    from .models import IncidentDeclaration

    try:
        incident = incident_selectors.find(request.user, number)
    except NotFound as exc:
        return render(request, "incidents/not_found.html", {"message": exc.message}, status=404)
    found = IncidentDeclaration.objects.filter(incident=incident).first()
    if found is None:
        return render(request, "incidents/not_found.html", {"message": number}, status=404)
    if request.method == "POST":
        try:
            services.file_declaration(request.user, found, request.POST.get("external_number", ""))
        except DomainError as exc:
            return render(
                request, "incidents/not_found.html", {"message": exc.message}, status=exc.status
            )
        return redirect("reports:declaration", number=number)
    return render(request, "reports/declaration.html", {"declaration": found, "incident": incident})
