"""Pages: the data sources with their transmissions, the mapping of a source's codes
(many rows at once, by keyboard, with the provincial codes to pick from), the worksheet
in and out, and the sealed conformance reports (their content for designated persons)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import has_permission, institutions_of
from escalade.accounts.web import current_institution, requires
from escalade.catalog.models import Organisation
from escalade.core.errors import DomainError, Invalid
from escalade.core.i18n import pick
from escalade.core.web import done, posted_id, show_errors, shows_errors

from . import rules, selectors, services
from .forms import DecisionForm, ErrorForm, ReportForm, UploadForm


@requires(perms.DATASOURCE_VIEW)
@shows_errors
def datasource_list(request):
    institution = current_institution(request)
    sources = list(selectors.datasources(request.user, institution))
    for s in sources:
        s.state = selectors.state(s)
    return render(
        request, "datasources/list.html", {"institution": institution, "sources": sources}
    )


@login_required  # the desk's roles, or a designated person (the selector checks)
@shows_errors
def datasource_detail(request, code):
    source = _found_anywhere(request, lambda inst: selectors.datasource(request.user, inst, code))
    institution = source.institution
    can_map = has_permission(request.user, perms.MAP_CODES)
    upload = UploadForm()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and can_map:
        if "file" in request.FILES:
            upload = UploadForm(request.POST, request.FILES)
            if upload.is_valid():
                f = upload.cleaned_data["file"]
                try:
                    counts = services.upload_worksheet(request.user, source, f.read(), f.name)
                    if not isinstance(counts, dict):  # a large one: a worker imports it
                        return redirect("datasources:proposal", code, counts.pk)
                    return done(
                        request,
                        _("Worksheet taken: %(new)s new codes, %(unmapped)s left to map.") % counts,
                        "datasources:detail",
                        code,
                    )
                except DomainError as exc:
                    show_errors(upload, exc)
            status = 422
        else:
            errors, saved = _map_rows(request, source)
            if not errors:
                return done(
                    request,
                    _("%(n)s mappings saved.") % {"n": saved},
                    "datasources:detail",
                    code,
                )
            status = 422
    mappings = list(selectors.mappings(source))
    return render(
        request,
        "datasources/detail.html",
        {
            "institution": institution,
            "source": source,
            "state": selectors.state(source),
            "unmapped": [m for m in mappings if not m.target],
            "mapped": [m for m in mappings if m.target],
            "codes": selectors.provincial_codes(institution, limit=200),
            "can_map": can_map,
            "upload": upload,
            "errors": errors,
            "posted": request.POST if request.method == "POST" else {},
            "proposals": list(selectors.proposals(source, pending_only=True)),
        },
        status=status,
    )


@login_required  # the desk's roles, or a designated person (the selector checks)
@shows_errors
def proposal_detail(request, code, proposal_id):
    """A worksheet received by mail: what it would change (new codes, changed mappings
    with the old and new provincial codes); a person who maps codes approves or rejects
    it. Nothing changes before."""
    source = _found_anywhere(request, lambda inst: selectors.datasource(request.user, inst, code))
    proposal = selectors.proposal(source, proposal_id)
    can_map = has_permission(request.user, perms.MAP_CODES)
    form = DecisionForm()
    status = 200
    if request.method == "POST" and can_map:
        form = DecisionForm(request.POST)
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            try:
                decided = services.decide(
                    request.user, proposal, approve=approve, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                show_errors(form, exc)
            else:
                message = (
                    _("Worksheet approved: %(new)s new codes, %(unmapped)s left to map.")
                    % decided.outcome
                    if approve
                    else _("Worksheet rejected: no mapping changed.")
                )
                return done(request, message, "datasources:detail", code)
        status = 422
    found = services.changes(proposal) if proposal.state == "proposed" else []
    return render(
        request,
        "datasources/proposal.html",
        {
            "institution": source.institution,
            "source": source,
            "proposal": proposal,
            "new": [c for c in found if c.kind == "new"],
            "changed": [c for c in found if c.kind == "changed"],
            "can_map": can_map,
            "form": form,
        },
        status=status,
    )


def _map_rows(request, source) -> tuple[dict[str, str], int]:
    """The mapping form: one row per unmapped code (target-N, local-N), one expert for
    all; each row is saved on its own, the bad ones are shown in place."""
    errors, saved = {}, 0
    validated_by = request.POST.get("validated_by", "")
    rows = [k[len("target-") :] for k in request.POST if k.startswith("target-")]
    for n in rows:
        target = request.POST.get(f"target-{n}", "").strip()
        local = request.POST.get(f"local-{n}", "")
        if not target:
            continue
        try:
            services.set_mapping(request.user, source, local, target, validated_by)
            saved += 1
        except Invalid as exc:
            errors[local] = "; ".join(e["message"] for e in exc.as_errors())
    new_code = request.POST.get("new_code", "").strip()
    if new_code:
        services.set_mapping(request.user, source, new_code, "", "")
        saved += 1
    return errors, saved


@requires(perms.DATASOURCE_VIEW)
@shows_errors
def provincial_codes(request):
    """The provincial codes matching what the expert types (the mapping page's search
    fills its list of suggestions with these)."""
    institution = current_institution(request)
    return render(
        request,
        "datasources/codes.html",
        {"codes": selectors.provincial_codes(institution, request.GET.get("q", ""), limit=100)},
    )


@requires(perms.DATASOURCE_VIEW)
@shows_errors
def worksheet(request, code):
    institution = current_institution(request)
    source = selectors.datasource(request.user, institution, code)
    response = HttpResponse(
        rules.write_worksheet(selectors.rows(source)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"codes-on-the-fly-{source.code}.xlsx"
    )
    return response


def _organisations(institution):
    return [
        (o.code, pick(o.name) or o.code)
        for o in Organisation.objects.filter(institution=institution).order_by("code")
    ]


@login_required  # the desk's roles, or a designated person (the selector checks)
@shows_errors
def report_list(request):
    institution, reports = _found_anywhere(
        request, lambda inst: (inst, selectors.reports(request.user, inst)[:100])
    )
    form = ReportForm(organisations=_organisations(institution))
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, organisations=_organisations(institution))
        if form.is_valid():
            org = Organisation.objects.get(
                institution=institution, code=form.cleaned_data["organisation"]
            )
            f = form.cleaned_data["file"]
            try:
                report = services.receive_report(request.user, org, f.name, f.read())
                return done(
                    request,
                    _("Report #%(id)s sealed and routed.") % {"id": report.pk},
                    "datasources:report",
                    report.pk,
                )
            except DomainError as exc:
                show_errors(form, exc)
        status = 422
    return render(
        request,
        "datasources/reports.html",
        {
            "institution": institution,
            "reports": reports,
            "form": form,
            "can_receive": has_permission(request.user, perms.REPORT_RECEIVE),
        },
        status=status,
    )


def _found_anywhere(request, lookup):
    """`lookup(institution)` in the institution the user works in, else in their others:
    a link from an e-mail opens whatever institution the reader last picked."""
    here = current_institution(request)
    try:
        return lookup(here)
    except DomainError as first:
        for other in institutions_of(request.user).exclude(pk=here.pk):
            try:
                return lookup(other)
            except DomainError:
                continue
        raise first


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@login_required  # the designated persons need no desk role: the selector checks who reads
@shows_errors
def report_detail(request, report_id):
    report = _found_anywhere(request, lambda inst: selectors.report(request.user, inst, report_id))
    designated = services.designated(request.user, report.organisation)
    context = {"report": report, "designated": designated, "form": ErrorForm()}
    status = 200
    if designated:
        if request.method == "POST":
            status = _act(request, report, context)
            if status == 302:
                return done(request, _("Recorded."), "datasources:report", report.pk)
        report.refresh_from_db()
        name, _data = services.open_report(request.user, report, _address(request))
        context["filename"] = name
        context["errors"] = services.report_errors(request.user, report, _address(request))
    return render(request, "datasources/report.html", context, status=status)


def _act(request, report, context) -> int:
    if "error_id" in request.POST:
        error = report.errors.filter(pk=posted_id(request, "error_id")).first()
        if error is not None:
            services.move_error(request.user, error, request.POST.get("state", ""))
            return 302
        return 404
    form = ErrorForm(request.POST)
    context["form"] = form
    if form.is_valid():
        try:
            services.record_error(
                request.user, report, form.cleaned_data["control_id"], form.cleaned_data["text"]
            )
            return 302
        except DomainError as exc:
            show_errors(form, exc)
    return 422


@login_required
@shows_errors
def report_file(request, report_id):
    institution = current_institution(request)
    report = selectors.report(request.user, institution, report_id)
    name, data = services.open_report(request.user, report, _address(request))
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response
