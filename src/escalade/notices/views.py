"""Pages: notices (list with the maintenance calendar, publish, detail with updates and
linked incidents), organisations' interruptions, personal feed URLs."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from escalade.accounts import rules as perms
from escalade.accounts.rules import NOTICE_PUBLISH
from escalade.accounts.services import has_permission
from escalade.accounts.web import current_institution, requires
from escalade.catalog import selectors as catalog_selectors
from escalade.core.errors import DomainError
from escalade.core.web import done, posted_id, show_errors
from escalade.incidents import selectors as incident_selectors

from . import rules, selectors, services
from .choices import NoticeState
from .forms import InterruptionForm, NoticeForm, UpdateForm


def _not_found(request, exc):
    return render(request, "incidents/not_found.html", {"message": exc.message}, status=exc.status)


@login_required
def notice_list(request):
    institution = current_institution(request)
    now = timezone.now()
    notices = (
        selectors.visible_notices(request.user)
        .filter(institution=institution)
        .prefetch_related("organisations")
    )
    current = [n for n in notices.filter(state=NoticeState.PUBLISHED) if not n.end or n.end > now]
    past = notices.exclude(pk__in=[n.pk for n in current])[:50]
    return render(
        request,
        "notices/list.html",
        {
            "institution": institution,
            "current": sorted(current, key=lambda n: n.start),
            "past": past,
            "windows": selectors.window_occurrences(institution, now, now + dt.timedelta(days=28)),
            "can_publish": has_permission(request.user, NOTICE_PUBLISH),
            "feed_key": services.feed_key(request.user).key,
        },
    )


@login_required
def notice_new(request):
    institution = current_institution(request)
    form = NoticeForm(
        request.POST or None, institution=institution, initial={"public": True, "kind": "planned"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.publish(request.user, institution, form.data_for_service())
            return done(
                request,
                _("Notice published: its contacts are told."),
                "notices:detail",
                notice_id=notice.pk,
            )
        except DomainError as exc:
            show_errors(form, exc)
    earliest = rules.earliest_planned_start(
        timezone.now(),
        institution.zone,
        [institution.calendar],
        services.business_days(institution),
    )
    return render(
        request,
        "notices/new.html",
        {
            "form": form,
            "institution": institution,
            "earliest": services.when(earliest, institution.zone),
            "business_days": services.business_days(institution),
            "windows": services.window_names(institution),
        },
        status=422 if form.errors else 200,
    )


@login_required
def notice_detail(request, notice_id):
    try:
        notice = selectors.get_notice(request.user, notice_id)
    except DomainError as exc:
        return _not_found(request, exc)
    form = UpdateForm(request.POST or None)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "update" and form.is_valid():
                services.add_update(
                    request.user,
                    notice,
                    form.cleaned_data["body"],
                    resolve=form.cleaned_data["resolve"],
                )
                return done(request, _("Update published."), "notices:detail", notice_id=notice.pk)
            if action == "cancel":
                services.change(
                    request.user,
                    notice,
                    {"state": NoticeState.CANCELLED, "resolution": request.POST.get("reason")},
                )
                return done(
                    request,
                    _("Notice cancelled: its contacts are told."),
                    "notices:detail",
                    notice_id=notice.pk,
                )
            if action in ("link", "unlink"):
                incident = incident_selectors.find(
                    request.user, request.POST.get("number", "").strip()
                )
                services.link_incident(request.user, notice, incident, unlink=action == "unlink")
                return done(request, _("Saved."), "notices:detail", notice_id=notice.pk)
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "notices/detail.html",
        {
            "notice": notice,
            "view": selectors.notice_view(notice),
            "form": form,
            "error": error,
            "can_publish": has_permission(request.user, NOTICE_PUBLISH)
            and notice.state == NoticeState.PUBLISHED,
        },
        status=422 if error or form.errors else 200,
    )


@login_required
@require_POST
def renew_feed(request):
    services.renew_feed_key(request.user)
    return done(request, _("Your private feed has a new address."), "notices:list")


@login_required
def interruption_new(request, code):
    try:
        org = catalog_selectors.get_organisation(
            request.user, code, current_institution(request).code
        )
    except DomainError as exc:
        return _not_found(request, exc)
    form = InterruptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_interruption(request.user, org, form.cleaned_data)
            return done(
                request, _("Interruption reported: the desk is told."), "notices:interruptions"
            )
        except DomainError as exc:
            show_errors(form, exc)
    return render(
        request,
        "notices/interruption_new.html",
        {"form": form, "organisation": org},
        status=422 if form.errors else 200,
    )


@requires(perms.VIEW_ALL)
def interruption_list(request):
    institution = current_institution(request)
    if request.method == "POST":
        try:
            row = selectors.get_interruption(request.user, posted_id(request, "id"))
            services.acknowledge(request.user, row)
        except DomainError as exc:
            return _not_found(request, exc)
        return done(request, _("Acknowledged."), "notices:interruptions")
    return render(
        request,
        "notices/interruptions.html",
        {"rows": selectors.open_interruptions(institution)[:200], "institution": institution},
    )
