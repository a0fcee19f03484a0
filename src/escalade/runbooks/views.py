"""Pages: the runbooks (printable, with the blank registry sheet), activating one, the
outage's page (whom to call now, broadcasts, checklist, registry, return to normal,
reconciliation, close) and the kiosk display of a group's broadcasts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from escalade.accounts import rules as perms
from escalade.accounts.services import has_permission
from escalade.accounts.web import current_institution, requires
from escalade.core import panels, public
from escalade.core.errors import DomainError
from escalade.core.web import act, done, refused, shows_errors

from . import cap, selectors, services
from .choices import ConfirmedVia
from .forms import ActivateForm, CloseForm, EntryForm, ReconcileForm, VendorRefForm
from .models import WorkstationGroup


@requires(perms.RUNBOOK_VIEW)
@shows_errors
def runbook_list(request):
    institution = current_institution(request)
    return render(
        request,
        "runbooks/list.html",
        {
            "institution": institution,
            "runbooks": [
                selectors.runbook_view(r, timezone.now()) for r in selectors.runbooks(institution)
            ],
            "outages": selectors.outages(institution, open_only=True),
            "closed": selectors.outages(institution).filter(state="closed")[:20],
        },
    )


@requires(perms.RUNBOOK_VIEW)
@shows_errors
def runbook_detail(request, code):
    institution = current_institution(request)
    runbook = services.get_runbook(institution, code)
    form = ActivateForm(request.POST if request.method == "POST" else None)

    def page(status=200, **_forms):
        return render(
            request,
            "runbooks/detail.html",
            {
                "runbook": selectors.runbook_view(runbook, timezone.now()),
                "institution": institution,
                "form": form,
                "can_run": has_permission(request.user, perms.OUTAGE_RUN),
                # the outage of this runbook in progress: the page offers to open it
                "running": services.in_progress(runbook),
                "drill": services.in_progress(runbook, drill=True),
                "drills": bool(institution.setting("drill_group")),
                "announced": runbook.drill_announced_at,
                "runs": selectors.runs_of(runbook),
                "sheet_rows": range(12),
            },
            status=status,
        )

    if request.method != "POST":
        return page()
    return act(
        request,
        lambda data: services.activate(
            request.user,
            institution,
            code,
            incident_number=data["incident"] or None,
            note=data["note"],
            drill=request.POST.get("drill") == "1",
        ),
        form=form,
        field_map={"number": "incident"},
        then=lambda outage: done(
            request,
            _("Drill started: the broadcasts went to the drill group.")
            if outage.drill
            else _("Outage opened: the broadcasts are out."),
            "runbooks:outage",
            outage.pk,
        ),
        page=page,
    )


@requires(perms.OUTAGE_RUN)
@require_POST
@shows_errors
def announce_drill(request, code):
    """The exercise leader announces a drill: the team's time to activate counts from now."""
    institution = current_institution(request)
    return act(
        request,
        lambda _data: services.announce_drill(request.user, institution, code),
        then=lambda _runbook: done(
            request,
            _("Drill announced: the time to activate counts from now."),
            "runbooks:detail",
            code,
        ),
        page=lambda status, error=None, **_forms: refused(request, error, status),
        refusal_on_form=False,
    )


@requires(perms.RUNBOOK_VIEW)
@shows_errors
def runbook_pdf(request, code):
    """The runbook as PDF, with the blank registry sheet (annex 1) on its own page."""
    institution = current_institution(request)
    view = selectors.runbook_view(services.get_runbook(institution, code), timezone.now())
    # reportlab loads when a PDF is drawn, not at every process's start (140 ms of a 2 s
    # start: docs/benchmarks.md)
    from . import pdf  # noqa: PLC0415

    response = HttpResponse(pdf.runbook_pdf(view, institution), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{code}.pdf"'
    return response


def _outage_page(request, outage, status=200, **forms):
    view = services.show_outage(request.user, outage, "outage page")
    return render(
        request,
        "runbooks/outage.html",
        {
            "outage": view,
            "entry_form": forms.get("entry_form")
            or EntryForm(institution=outage.institution, focus=request.GET.get("next") == "entry"),
            "vendor_form": forms.get("vendor_form") or VendorRefForm(),
            "close_form": forms.get("close_form") or CloseForm(),
            "reconcile_form": forms.get("reconcile_form"),
            "reconcile_entry": forms.get("reconcile_entry"),
            "error": forms.get("error"),
            "end_broadcasts": selectors.broadcast_specs(
                outage.institution, services.end_broadcasts(outage.runbook)
            ),
            "can_run": has_permission(request.user, perms.OUTAGE_RUN, outage),
            "can_add": has_permission(request.user, perms.REGISTRY_ADD, outage),
            "can_reconcile": has_permission(request.user, perms.RECONCILE, outage),
            "vendors": selectors.vendors(outage.institution),
            "panels": panels.of("outage", request, outage),  # who is on call (oncall)
        },
        status=status,
    )


def _act(request, outage, do, *, form=None, key="form", after="", refusal_on_form=True, **page):
    """A form or a button of the outage page (core.web.act): `do(data)` does it and
    returns the message to show; bad input or a refusal shows the page again with the
    errors on the fields, or above the page for a button. `after` is added to the page's
    address (?next=entry: the cursor on the next entry)."""

    def then(message):
        response = done(request, message, "runbooks:outage", outage.pk)
        response["Location"] += after
        return response

    return act(
        request,
        do,
        form=form,
        key=key,
        then=then,
        refusal_on_form=refusal_on_form,
        page=lambda status, **forms: _outage_page(request, outage, status, **page, **forms),
    )


@requires(perms.RUNBOOK_VIEW)
@shows_errors
def outage_detail(request, outage_id):
    return _outage_page(request, selectors.get_outage(request.user, outage_id))


@login_required
@require_POST
@shows_errors
def step(request, outage_id, n):
    outage = selectors.get_outage(request.user, outage_id)
    return act(
        request,
        lambda _data: services.mark_step(request.user, outage, n, request.POST.get("state", "")),
        then=lambda _result: redirect(f"/outages/{outage.pk}/#step-{n}"),
        page=lambda status, **forms: _outage_page(request, outage, status, **forms),
    )


@login_required
@require_POST
@shows_errors
def entry(request, outage_id):
    outage = selectors.get_outage(request.user, outage_id)

    def add(data):
        row = services.add_entry(request.user, outage, data)
        return _("Entered in the registry: IPP %(ipp)s, episode %(episode)s.") % {
            "ipp": row.ipp,
            "episode": row.episode,
        }

    form = EntryForm(request.POST, institution=outage.institution, focus=True)
    return _act(request, outage, add, form=form, key="entry_form", after="?next=entry")


@login_required
@require_POST
@shows_errors
def vendor_ref(request, outage_id):
    outage = selectors.get_outage(request.user, outage_id)

    def record(data):
        services.add_vendor_ref(request.user, outage, **data)
        return _("Ticket reference recorded.")

    return _act(request, outage, record, form=VendorRefForm(request.POST), key="vendor_form")


@login_required
@require_POST
@shows_errors
def access_code(request, outage_id):
    outage = selectors.get_outage(request.user, outage_id)

    def log(_data):
        services.log_access_code(
            request.user, outage, request.POST.get("event", ""), request.POST.get("given_to", "")
        )
        return _("Recorded (the code itself is never kept).")

    return _act(request, outage, log)


@login_required
@require_POST
@shows_errors
def restore(request, outage_id):
    outage = selectors.get_outage(request.user, outage_id)
    edited = []
    prepared = services.end_broadcasts(outage.runbook)
    for i, spec in enumerate(prepared):
        title = (request.POST.get(f"title-{i}") or "").strip()
        message = (request.POST.get(f"message-{i}") or "").strip()
        if not title or not message:
            continue  # left empty: not sent
        lang = (request.LANGUAGE_CODE or "fr")[:2]
        edited.append(
            {
                **spec,
                "title": {**spec["title"], lang: title},
                "message": {**spec["message"], lang: message},
            }
        )

    def restore_now(_data):
        services.restore(request.user, outage, broadcasts=edited if prepared else None)
        return _("Return to normal started: the end broadcasts are out.")

    return _act(request, outage, restore_now)


@login_required
@require_POST
@shows_errors
def reconcile(request, outage_id, entry_id):
    outage = selectors.get_outage(request.user, outage_id)
    row = selectors.get_entry(request.user, outage, entry_id)

    def reconcile_row(data):
        services.reconcile(request.user, row, **data)
        return _("Entry reconciled.")

    return _act(
        request,
        outage,
        reconcile_row,
        form=ReconcileForm(request.POST),
        key="reconcile_form",
        reconcile_entry=row.pk,
    )


@login_required
@require_POST
@shows_errors
def close(request, outage_id):
    outage = selectors.get_outage(request.user, outage_id)
    form = CloseForm(request.POST)
    if not form.is_valid():
        # what stops the closing is said first, then the question left unanswered
        left = services.work_left(outage)
        return _outage_page(
            request, outage, status=409 if left else 422, close_form=form, error=left
        )

    def close_now(data):
        services.close(request.user, outage, review_needed=data["review_needed"] == "yes")
        return _("Outage closed.")

    return _act(request, outage, close_now, form=form, key="close_form", refusal_on_form=False)


@requires(perms.RUNBOOK_VIEW)
@shows_errors
def call(request, outage_id, code):
    """The call sheet of a vendor for this outage, printable; the ticket reference the
    vendor gives is recorded back on the outage from here."""
    outage = selectors.get_outage(request.user, outage_id)
    raw = (request.GET.get("entry") or "").strip()
    entry = selectors.get_entry(request.user, outage, int(raw)) if raw.isdigit() else None
    vendor = selectors.get_vendor(outage.institution, code)
    return render(
        request,
        "runbooks/call.html",
        {
            "sheet": selectors.call_sheet(request.user, vendor, outage, entry),
            "vendor_form": VendorRefForm(initial={"vendor": vendor.code}),
            "outage_id": outage.pk,
            "can_run": has_permission(request.user, perms.OUTAGE_RUN),
        },
    )


def broadcasts_atom(request):
    """The Atom feed of the broadcasts current for one workstation (?host=), each entry
    linking its CAP document (no sign-in: what that workstation is told, nothing of
    another institution)."""
    if not public.allowed(request):
        return HttpResponse(status=403)
    host = (request.GET.get("host") or "").strip()[:63]
    if not host:
        return HttpResponse(
            _("Say which workstation reads the feed: ?host=its host name."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    code = (request.GET.get("institution") or "").strip()[:40]
    rows = selectors.public_broadcasts(host, code)
    lang = (request.LANGUAGE_CODE or "fr")[:2]
    body = cap.atom(rows, request.build_absolute_uri("/").rstrip("/"), lang)
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


def display(request):
    """A wall or kiosk screen: the current broadcasts of one group (?group=, with
    ?institution= when several institutions have a group of that code) or of one
    workstation (?host=), large, refreshed every 2 seconds; no sign-in (it shows what
    every workstation of the group shows, nothing of another institution). With
    ?unit=, the unit's screen also asks it, during an outage, to confirm it switched to
    the degraded procedure (then that it is back to normal): one large button."""
    if not public.allowed(request):
        return HttpResponse(status=403)
    group = (request.GET.get("group") or "").strip()[:40]
    code = (request.GET.get("institution") or "").strip()[:40]
    host = (request.GET.get("host") or "").strip()[:63]
    unit = (request.GET.get("unit") or "").strip()[:40]
    if host:
        institutions = selectors.public_institutions(host, code)
        rows = selectors.current_broadcasts(institutions, host=host)
    else:
        # a group's screen: its group's broadcasts and those to every workstation, of the
        # institution that has the group
        owners = (
            WorkstationGroup.objects.filter(code=group)
            if group
            else WorkstationGroup.objects.none()
        )
        if code:
            owners = owners.filter(institution__code=code)
        institutions = list({g.institution_id for g in owners})
        if len(institutions) > 1:
            return HttpResponse(
                _("Several institutions have this group: add ?institution=its code."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        rows = [
            b
            for b in selectors.current_broadcasts(institutions)
            if b.group == group or "*" in b.hosts
        ]
    ask = selectors.kiosk_confirmation(institutions, unit)
    thanks = request.GET.get("confirmed") == unit and unit
    return render(
        request,
        "runbooks/display.html",
        {
            "broadcasts": [selectors.broadcast_view(b) for b in rows],
            "group": group,
            "ask": ask,
            "token": services.confirm_token(ask) if ask else "",
            "thanks": thanks,
        },
    )


@require_POST
def kiosk_confirm(request):
    """The kiosk's large button: the unit confirms (the token names its question; the
    screen's network or display token says it is a workstation of the hospital)."""
    if not public.allowed(request):
        return HttpResponse(status=403)
    confirmation = services.from_token(request.POST.get("token", ""))
    if confirmation is None:
        return HttpResponse(
            _("This question is not valid any more."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    try:
        services.confirm_unit(None, confirmation, ConfirmedVia.KIOSK)
    except DomainError as exc:
        return HttpResponse(str(exc.message), status=409, content_type="text/plain; charset=utf-8")
    back = request.POST.get("back", "")
    query = back if back.startswith("?") and len(back) < 300 else ""
    separator = "&" if query else "?"
    return redirect(f"/display/{query}{separator}confirmed={confirmation.unit.code}")


def unit_link(request, token):
    """The link of a unit's e-mail (no sign-in): showing it changes nothing (mail filters
    open links), the button confirms."""
    confirmation = services.from_token(token)
    if confirmation is None:
        return refused(request, _("This link is not valid any more: call the service desk."))
    error = ""
    if request.method == "POST" and confirmation.confirmed_at is None:
        try:
            services.confirm_unit(
                None,
                confirmation,
                ConfirmedVia.LINK,
                by_name=(request.POST.get("name") or "").strip()[:200],
            )
        except DomainError as exc:
            error = str(exc.message)
        confirmation.refresh_from_db()
    return render(
        request,
        "runbooks/unit_confirm.html",
        {"c": confirmation, "error": error, "outage": confirmation.outage},
        status=409 if error else 200,
    )


@login_required
@require_POST
@shows_errors
def confirm_unit(request, outage_id, code):
    """The centre called the unit: confirmed by phone, in the app."""
    outage = selectors.get_outage(request.user, outage_id)

    def confirm(_data):
        services.confirm_by_code(request.user, outage, code, request.POST.get("phase", ""))
        return _("The unit's answer is recorded.")

    return _act(request, outage, confirm, refusal_on_form=False, after=f"#unit-{code}")
