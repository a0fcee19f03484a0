"""The sealed Weekly Conformance Errors reports: received, routed to the designated
persons, opened (recorded), their rejected messages tracked, re-sealed."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts import rules as perms
from escalade.accounts.services import belongs_to, require
from escalade.catalog.choices import ContactRole
from escalade.catalog.models import Contact, Organisation
from escalade.core import audit, seal
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Forbidden, Invalid, not_one_of, required
from escalade.core.i18n import in_language, pick
from escalade.notifications import services as notify

from .. import rules
from ..choices import ErrorState, ReportState, Via
from ..errors import DataSourceError
from ..models import (
    ConformanceReport,
    ReportError,
)
from .organisation_incidents import _incident_on

log = logging.getLogger("escalade.datasources")


# -- the sealed conformance reports ----------------------------------------------------------


def designated(user, organisation: Organisation) -> bool:
    """Whether `user` is one of the organisation's designated persons (the catalogue's
    contacts of that role, by e-mail), a member of its institution."""
    email = (getattr(user, "email", "") or "").strip()
    return bool(
        email
        and user.is_active
        and belongs_to(user, organisation.institution_id)
        and Contact.objects.filter(
            organisation=organisation, role=ContactRole.PHI_DESIGNATE, email__iexact=email
        ).exists()
    )


def designated_organisation_ids(user, institution) -> set[int]:
    """The organisations of `institution` whose designated person `user` is (by e-mail),
    if they belong to it: what they read without a desk role (their reports, the pages
    the e-mails link to)."""
    email = (getattr(user, "email", "") or "").strip()
    if not email or not user.is_active or not belongs_to(user, institution.pk):
        return set()
    return set(
        Contact.objects.filter(
            organisation__institution=institution,
            role=ContactRole.PHI_DESIGNATE,
            email__iexact=email,
        ).values_list("organisation_id", flat=True)
    )


def designated_users(organisation: Organisation):
    """The accounts of the organisation's designated persons (active members of its
    institution whose e-mail is a designated contact's): who gets the in-app notices."""
    emails = [c.email for c in _designates(organisation)]
    if not emails:
        return []
    query = Q()
    for email in emails:
        query |= Q(email__iexact=email)
    return list(
        get_user_model()
        .objects.filter(query, is_active=True, memberships__institution=organisation.institution)
        .distinct()
    )


def _designates(organisation: Organisation) -> list[Contact]:
    return list(
        Contact.objects.filter(organisation=organisation, role=ContactRole.PHI_DESIGNATE)
        .exclude(email="")
        .order_by("name")
    )


def receive_report(
    actor, organisation: Organisation, filename: str, data: bytes, *, via=Via.UPLOAD
):
    """Keep a Weekly Conformance Errors report sealed and route it to the organisation's
    designated persons (an e-mail that it arrived, nothing of it); without any, an
    incident is opened on the organisation. `actor` None: a mailbox received it."""
    if actor is not None:
        require(actor, perms.REPORT_RECEIVE, organisation)
    if not data:
        raise Invalid(_("The file is empty."), field="file", code=DataSourceError.EMPTY_FILE)
    institution = organisation.institution
    people = _designates(organisation)
    with transaction.atomic():
        report = ConformanceReport.objects.create(
            institution=institution,
            organisation=organisation,
            via=via,
            size=len(data),
            sealed=seal.seal(data),
            sealed_name=seal.seal((filename or "report").encode()),
            key_id=seal.key_id(),
            routed_to=[f"{c.name} <{c.email}>" for c in people],
            state=ReportState.ROUTED if people else ReportState.UNROUTED,
            received_by=actor,
        )
        _count_errors(report, data)
        audit.record(
            action=AuditAction.CREATED,
            obj=report,
            actor=actor,
            institution=institution,
            data={
                "organisation": organisation.code,
                "size": report.size,
                "routed_to": report.routed_to,
            },
        )
        link = f"{settings.ESCALADE_BASE_URL}/conformance-reports/{report.pk}/"
        for contact in people:
            with in_language(contact.language):
                notify.send_mail(
                    [contact.email],
                    _("Weekly Conformance Errors report for %(organisation)s")
                    % {"organisation": pick(organisation.name)},
                    _(
                        "Hello,\n\nA Weekly Conformance Errors report for %(organisation)s "
                        "arrived on %(date)s. It holds personal health information: only the "
                        "organisation's designated persons open it, in Escalade:\n%(link)s\n\n"
                        "Correct the errors, resubmit the rejected messages and record them "
                        "there."
                    )
                    % {
                        "organisation": pick(organisation.name),
                        "date": timezone.localtime(report.received_at, institution.zone).strftime(
                            "%Y-%m-%d %H:%M"
                        ),
                        "link": link,
                    },
                )
        notify.to_users(
            designated_users(organisation),
            kind="conformance_report",
            params={"id": report.pk, "organisation": pick(organisation.name)},
            link=f"/conformance-reports/{report.pk}/",
        )
        if not people:
            with translation.override(settings.LANGUAGE_CODE):
                report.incident = _unrouted(organisation, report)
            report.save(update_fields=["incident"])
    log.info("conformance report %s received for %s", report.pk, organisation.code)
    return report


def _unrouted(organisation: Organisation, report: ConformanceReport):
    return _incident_on(
        organisation,
        "unrouted",
        lambda: _("Conformance report #%(id)s: no designated person") % {"id": report.pk},
        _(
            "A Weekly Conformance Errors report arrived for %(organisation)s, which has "
            "no designated person for personal health information. Add one to the "
            "organisation's contacts; the report stays sealed until then."
        )
        % {"organisation": pick(organisation.name)},
    )


def _count_errors(report: ConformanceReport, data: bytes) -> None:
    """The rejected messages of an HL7 report, recorded sealed for the designated persons."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    found = rules.rejected_messages(text)
    ReportError.objects.bulk_create(
        [
            ReportError(
                report=report,
                control_id=r.control_id[:60],
                sealed_text=seal.seal(
                    json.dumps({"code": r.code, "text": r.text, "errors": r.errors}).encode()
                ),
            )
            for r in found
        ]
    )
    report.errors_total = len(found)
    report.save(update_fields=["errors_total"])


SEALED = gettext_lazy(
    "This report holds personal health information: only the organisation's designated "
    "persons open it."
)


def _require_designated(user, report: ConformanceReport) -> None:
    if not designated(user, report.organisation):
        raise Forbidden(SEALED, field="content", code=DataSourceError.SEALED)


def open_report(user, report: ConformanceReport, address: str = "") -> tuple[str, bytes]:
    """The report's file name and bytes, for a designated person; every open is
    recorded (who, when, from where)."""
    _require_designated(user, report)
    if not report.sealed:
        raise Conflict(
            _("This report's content was removed after its retention period."),
            field="report",
            code=Code.NOT_ALLOWED_NOW,
        )
    name = seal.open_sealed(report.sealed_name).decode()
    data = seal.open_sealed(report.sealed)
    audit.phi_viewed(
        user,
        report,
        report.institution,
        "conformance report",
        report=report.pk,
        **{"from": address},
    )
    return name, data


def report_errors(user, report: ConformanceReport, address: str = "") -> list[dict]:
    """The rejected messages found in the report, opened for a designated person
    (recorded as a read)."""
    _require_designated(user, report)
    out = []
    for e in report.errors.all():
        content = json.loads(seal.open_sealed(e.sealed_text))
        out.append(
            {
                "id": e.pk,
                "control_id": e.control_id,
                "state": e.state,
                "state_label": str(ErrorState(e.state).label),
                **content,
            }
        )
    audit.phi_viewed(
        user,
        report,
        report.institution,
        "rejected messages",
        report=report.pk,
        errors=len(out),
        **{"from": address},
    )
    return out


def record_error(user, report: ConformanceReport, control_id: str, text: str) -> ReportError:
    """A rejected message a designated person found in the report (the text sealed)."""
    _require_designated(user, report)
    if not (control_id or "").strip():
        raise Invalid(errors=[required("control_id", _("Give the rejected message's control id."))])
    with transaction.atomic():
        error = ReportError.objects.create(
            report=report,
            control_id=control_id.strip()[:60],
            sealed_text=seal.seal(json.dumps({"code": "", "text": text, "errors": []}).encode()),
            by=user,
        )
        ConformanceReport.objects.filter(pk=report.pk).update(errors_total=F("errors_total") + 1)
        audit.record(
            action=AuditAction.REJECTION_RECORDED,
            obj=report,
            actor=user,
            institution=report.institution,
            data={"error_added": error.pk},
        )
    return error


def move_error(user, error: ReportError, state: str) -> ReportError:
    """A rejected message resubmitted, then accepted: the report is done when all are."""
    report = error.report
    _require_designated(user, report)
    bad = not_one_of("state", state, ErrorState)
    if bad:
        raise Invalid(errors=bad)
    with transaction.atomic():
        error = ReportError.objects.select_for_update().get(pk=error.pk)
        if rules.ERROR.action_to(error.state, state) is None:
            raise Conflict(
                _("A rejected message that is “%(now)s” cannot become “%(wanted)s”.")
                % {"now": ErrorState(error.state).label, "wanted": ErrorState(state).label},
                field="state",
                code=Code.NOT_ALLOWED_NOW,
            )
        now = timezone.now()
        was_done = error.state == ErrorState.DONE
        error.state = state
        error.by = user
        if state == ErrorState.RESUBMITTED:
            error.resubmitted_at = error.resubmitted_at or now
        if state == ErrorState.DONE:
            error.done_at = now
        error.save()
        report = ConformanceReport.objects.select_for_update().get(pk=report.pk)
        report.errors_done = report.errors.filter(state=ErrorState.DONE).count()
        if report.errors_total and report.errors_done == report.errors_total:
            report.state = ReportState.DONE
        elif report.state != ReportState.UNROUTED:
            report.state = ReportState.IN_PROGRESS
        report.save(update_fields=["errors_done", "state"])
        audit.record(
            action=AuditAction.REJECTION_MOVED,
            obj=report,
            actor=user,
            institution=report.institution,
            data={"error": error.pk, "state": state, "was_done": was_done},
        )
    return error


def reseal_all() -> int:
    """Re-seal every report and error with the current key (after adding a new key in
    front of ESCALADE_SEAL_KEYS); returns how many were re-sealed."""
    n = 0
    for report in ConformanceReport.objects.all().iterator():
        ConformanceReport.objects.filter(pk=report.pk).update(
            sealed=seal.reseal(report.sealed),
            sealed_name=seal.reseal(report.sealed_name),
            key_id=seal.key_id(),
        )
        n += 1
    for error in ReportError.objects.all().iterator():
        ReportError.objects.filter(pk=error.pk).update(sealed_text=seal.reseal(error.sealed_text))
        n += 1
    return n
