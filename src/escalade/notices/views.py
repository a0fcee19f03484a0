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
from escalade.core.web import act, done, posted_id, show_errors, shows_errors
from escalade.incidents import selectors as incident_selectors

from . import rules, selectors, services
from .choices import NoticeState
from .forms import InterruptionForm, NoticeForm, UpdateForm


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


def _update(request, notice, data):
    services.add_update(request.user, notice, data["body"], resolve=data["resolve"])
    return _("Update published.")


def _cancel(request, notice, _data):
    change = {"state": NoticeState.CANCELLED, "resolution": request.POST.get("reason")}
    services.change(request.user, notice, change)
    return _("Notice cancelled: its contacts are told.")


def _link(request, notice, _data):
    action = request.POST.get("action")
    incident = incident_selectors.find(request.user, request.POST.get("number", "").strip())
    services.link_incident(request.user, notice, incident, unlink=action == "unlink")
    return _("Saved.")


# the buttons of the notice page: what each does (the update has a form); each returns
# the banner's message
_ACTIONS = {"update": _update, "cancel": _cancel, "link": _link, "unlink": _link}


@login_required
@shows_errors
def notice_detail(request, notice_id):
    notice = selectors.get_notice(request.user, notice_id)
    form = UpdateForm(request.POST or None)

    def page(status=200, error=None, **_forms):
        context = {
            "notice": notice,
            "view": selectors.notice_view(notice),
            "form": form,
            "error": error,
            "can_publish": has_permission(request.user, NOTICE_PUBLISH)
            and notice.state == NoticeState.PUBLISHED,
        }
        return render(request, "notices/detail.html", context, status=status)

    if request.method != "POST":
        return page()
    action = request.POST.get("action", "")
    if action not in _ACTIONS:
        return page(422, _("Choose what to do."))
    return act(
        request,
        lambda data: _ACTIONS[action](request, notice, data),
        form=form if action == "update" else None,
        page=page,
        then=lambda said: done(request, said, "notices:detail", notice_id=notice.pk),
    )


@login_required
@require_POST
def renew_feed(request):
    services.renew_feed_key(request.user)
    return done(request, _("Your private feed has a new address."), "notices:list")


@login_required
@shows_errors
def interruption_new(request, code):
    org = catalog_selectors.get_organisation(request.user, code, current_institution(request).code)
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
@shows_errors
def interruption_list(request):
    institution = current_institution(request)
    if request.method == "POST":
        row = selectors.get_interruption(request.user, posted_id(request, "id"))
        services.acknowledge(request.user, row)
        return done(request, _("Acknowledged."), "notices:interruptions")
    return render(
        request,
        "notices/interruptions.html",
        {"rows": selectors.open_interruptions(institution)[:200], "institution": institution},
    )
