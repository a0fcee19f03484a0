"""Every write of the data sources (seed 002): the terminology (worksheets in and out,
mappings, FHIR ConceptMap), the sealed Weekly Conformance Errors reports, and the
transmissions' monitoring. Views, the API, the mailbox handlers and the tasks call these.

A conformance report's bytes, its file name and the errors found in it are sealed
(core/seal.py); nothing of them goes to a log line, an audit event, a notification, an
e-mail or an incident."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fhir.resources.R4B.conceptmap import ConceptMap
from pydantic import ValidationError

from escalade.accounts import rules as perms
from escalade.accounts.services import belongs_to, require, system_user
from escalade.catalog.choices import ContactRole
from escalade.catalog.models import Contact, Organisation
from escalade.core import audit, seal
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Conflict, Forbidden, Invalid, not_one_of, required
from escalade.core.i18n import in_both, in_language, pick, product_language
from escalade.incidents import services as incidents
from escalade.incidents.choices import Channel, RequesterRole
from escalade.notifications import services as notify

from . import rules
from .choices import ErrorState, ProposalState, ReportState, Via
from .errors import DataSourceError
from .models import (
    ConformanceReport,
    DataSource,
    Mapping,
    ProposedImport,
    ProvincialCode,
    ReportError,
)

log = logging.getLogger("escalade.datasources")


# -- terminology ---------------------------------------------------------------------------


def _system(datasource: DataSource, system: str) -> str:
    return system or (datasource.code_systems[0] if datasource.code_systems else "")


def _target_display(datasource: DataSource, target: str) -> str | None:
    """The provincial code's description, or None when the list does not hold it (a
    list that is empty accepts any code: the pack has not loaded one)."""
    codes = ProvincialCode.objects.filter(institution=datasource.institution_id)
    if not codes.exists():
        return ""
    found = codes.filter(code=target).first()
    return found.display if found is not None else None


def import_worksheet(actor, datasource: DataSource, data: bytes, filename: str = "") -> dict:
    """Take a Codes on the Fly worksheet (XLSX or CSV, as the province sends it or as the
    expert returns it): every row's local code is known afterwards; a provincial code in
    the file maps it (history kept); new unmapped codes get today as first seen.
    Returns {mapped, unmapped, new}. One transaction. Always a person's act: a worksheet
    that arrives by mail is only proposed (propose_worksheet)."""
    require(actor, perms.MAP_CODES, datasource)
    return _import_rows(actor, datasource, _read(data, filename))


CHUNK_ROWS = 1000


def upload_worksheet(actor, datasource: DataSource, data: bytes, filename: str = ""):
    """A worksheet a person sends: imported now, returning its counts, or, past
    ESCALADE_WORKSHEET_INLINE_ROWS rows, queued for a worker and returned as the
    ProposedImport that shows its progress. Checked whole first either way."""
    require(actor, perms.MAP_CODES, datasource)
    rows = _read(data, filename)
    if len(rows) <= settings.ESCALADE_WORKSHEET_INLINE_ROWS:
        return _import_rows(actor, datasource, rows)
    from .tasks import import_queued  # noqa: PLC0415 - tasks import services

    with transaction.atomic():
        job = ProposedImport.objects.create(
            institution_id=datasource.institution_id,
            datasource=datasource,
            via=Via.UPLOAD,
            filename=filename[:255],
            size=len(data),
            data=data,
            rows=len(rows),
            state=ProposalState.QUEUED,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        import_queued.enqueue(job.pk)
    return job


def run_queued_import(proposal_id: int) -> dict:
    """Import a queued worksheet in chunks of CHUNK_ROWS rows, each chunk and the
    progress in one transaction (a rerun resumes after the last chunk done)."""
    job = ProposedImport.objects.select_related("datasource", "decided_by").get(pk=proposal_id)
    if job.state != ProposalState.QUEUED:
        return job.outcome
    try:
        rows = _read(bytes(job.data), job.filename)
    except Invalid as exc:
        ProposedImport.objects.filter(pk=job.pk).update(
            state=ProposalState.FAILED, reason=str(exc.message)[:2000]
        )
        return {}
    new = job.outcome.get("new", 0)
    start = job.done_rows
    while start < len(rows):
        chunk = rows[start : start + CHUNK_ROWS]
        with transaction.atomic():
            locked = ProposedImport.objects.select_for_update().get(pk=job.pk)
            if locked.done_rows != start:  # another worker went further: take it up there
                start = locked.done_rows
                new = locked.outcome.get("new", 0)
                continue
            counts = _import_rows(job.decided_by, job.datasource, chunk)
            new += counts["new"]
            start += len(chunk)
            locked.done_rows = start
            locked.outcome = {**counts, "new": new}
            locked.save(update_fields=["done_rows", "outcome"])
    ProposedImport.objects.filter(pk=job.pk, state=ProposalState.QUEUED).update(
        state=ProposalState.APPROVED
    )
    return ProposedImport.objects.get(pk=job.pk).outcome


# -- a worksheet by mail: proposed, then approved or rejected by a person ----------------


@dataclass
class Change:
    """What a proposed worksheet would do to one local code."""

    kind: str  # "new" (a code not seen yet) or "changed" (its provincial code changes)
    system: str
    local_code: str
    local_display: str
    old_target: str
    new_target: str
    new_display: str
    validated_by: str
    known: bool  # the new provincial code is in the province's list


def propose_worksheet(
    datasource: DataSource, data: bytes, filename: str, *, sender: str = "", via: str = Via.EMAIL
) -> ProposedImport:
    """A worksheet that arrived by mail: kept as a proposal (it must read as a worksheet),
    its designated persons and interface specialists told at once what it would change.
    No mapping changes here."""
    rows = _read(data, filename)
    proposal = ProposedImport.objects.create(
        institution_id=datasource.institution_id,
        datasource=datasource,
        via=via,
        sender=sender[:254],
        filename=filename[:255],
        size=len(data),
        data=data,
        rows=len(rows),
    )
    audit.record(
        action=AuditAction.CREATED,
        obj=proposal,
        actor=None,
        institution=datasource.institution,
        data={"datasource": datasource.code, "rows": len(rows), "sender": sender},
    )
    worksheet_arrived(datasource, proposal, changes(proposal))
    return proposal


def changes(proposal: ProposedImport) -> list[Change]:
    """What approving the proposal would do now: new local codes and changed mappings
    (old and new provincial codes), in the worksheet's order."""
    datasource = proposal.datasource
    rows = _read(bytes(proposal.data), proposal.filename)
    known = {(m.system, m.local_code): m for m in Mapping.objects.filter(datasource=datasource)}
    targets = {r.target for r in rows if r.target}
    listed = dict(
        ProvincialCode.objects.filter(
            institution=datasource.institution_id, code__in=targets
        ).values_list("code", "display")
    )
    any_list = ProvincialCode.objects.filter(institution=datasource.institution_id).exists()
    out, seen = [], set()
    for row in rows:
        system = _system(datasource, row.system)
        if (system, row.local_code) in seen:
            continue
        seen.add((system, row.local_code))
        mapping = known.get((system, row.local_code))
        old = mapping.target if mapping is not None else ""
        if mapping is not None and (not row.target or row.target == old):
            continue
        out.append(
            Change(
                kind="new" if mapping is None else "changed",
                system=system,
                local_code=row.local_code,
                local_display=row.local_display or (mapping.local_display if mapping else ""),
                old_target=old,
                new_target=row.target,
                new_display=listed.get(row.target, row.target_display),
                validated_by=row.validated_by,
                known=not row.target or not any_list or row.target in listed,
            )
        )
    return out


def decide(actor, proposal: ProposedImport, *, approve: bool, reason: str = "") -> ProposedImport:
    """A person with the mapping permission approves the proposal (the worksheet is
    imported with them as actor) or rejects it (with a reason). Once only."""
    require(actor, perms.MAP_CODES, proposal.datasource)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise Invalid(errors=[required("reason", _("Say why the worksheet is rejected."))])
    with transaction.atomic():
        locked = ProposedImport.objects.select_for_update().get(pk=proposal.pk)
        if locked.state != ProposalState.PROPOSED:
            raise Conflict(
                _("This worksheet was already %(state)s.")
                % {"state": locked.get_state_display().lower()},
                code=DataSourceError.ALREADY_DECIDED,
            )
        if approve:
            locked.outcome = import_worksheet(
                actor, locked.datasource, bytes(locked.data), locked.filename
            )
        locked.state = ProposalState.APPROVED if approve else ProposalState.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.reason = reason[:2000]
        locked.save(update_fields=["state", "decided_by", "decided_at", "reason", "outcome"])
        audit.record(
            action=AuditAction.UPDATED,
            obj=locked,
            actor=actor,
            institution=locked.datasource.institution,
            data={"state": locked.state, **({"outcome": locked.outcome} if approve else {})},
        )
    return locked


def mapping_contacts(organisation: Organisation):
    """Who hears of the organisation's codes to map: its designated persons and interface
    specialists who have an e-mail address (the catalogue's contacts)."""
    return Contact.objects.filter(
        organisation=organisation,
        role__in=[ContactRole.PHI_DESIGNATE, ContactRole.INTERFACE_SPECIALIST],
    ).exclude(email="")


def worksheet_arrived(datasource: DataSource, proposal: ProposedImport, found: list) -> None:
    """Seed 002: the organisation's designated persons and interface specialists are
    told « promptement » that the province's worksheet arrived (an e-mail and an in-app
    notice with what it would change, to review and approve), not on Monday's reminder."""
    organisation = datasource.organisation
    link = f"/datasources/{datasource.code}/proposals/{proposal.pk}/"
    params = {
        "source": pick(datasource.label),
        "new": sum(c.kind == "new" for c in found),
        "changed": sum(c.kind == "changed" for c in found),
    }
    notify.to_users(
        designated_users(organisation), kind="worksheet_arrived", params=params, link=link
    )
    for contact in mapping_contacts(organisation):
        with in_language(contact.language):
            notify.send_mail(
                [contact.email],
                _("%(source)s: Codes on the Fly worksheet received, to approve") % params,
                _(
                    "Hello,\n\nThe province's Codes on the Fly worksheet for %(source)s "
                    "arrived: %(new)s new local codes, %(changed)s mappings it would change. "
                    "Nothing is changed until a person who maps codes approves it: review it "
                    "promptly, since documents that use an unmapped code may not display in "
                    "the clinical viewer.\n\n%(link)s"
                )
                % {**params, "link": f"{settings.ESCALADE_BASE_URL}{link}"},
            )


def _read(data: bytes, filename: str) -> list[rules.Row]:
    if not data:
        raise Invalid(_("The file is empty."), field="file", code=DataSourceError.EMPTY_FILE)
    limits = rules.Limits(
        rows=settings.ESCALADE_WORKSHEET_MAX_ROWS,
        inflated_bytes=settings.ESCALADE_WORKSHEET_MAX_INFLATED_BYTES,
    )
    try:
        return rules.read_worksheet(data, filename, limits)
    except rules.WorksheetError as exc:
        if exc.row:
            where = (
                _("row %(row)s, column %(column)s") % {"row": exc.row, "column": exc.column}
                if exc.column
                else _("row %(row)s") % {"row": exc.row}
            )
            reason = f"{where}: {exc.reason}"
        else:
            reason = exc.reason
        raise Invalid(
            _("This is not a Codes on the Fly worksheet that can be taken: %(reason)s")
            % {"reason": reason},
            field="file",
            code=DataSourceError.NOT_A_WORKSHEET,
        ) from exc


def _import_rows(actor, datasource: DataSource, rows: list[rules.Row]) -> dict:
    today = timezone.localdate()
    new = 0
    with transaction.atomic():
        known = {
            (m.system, m.local_code): m
            for m in Mapping.objects.select_for_update().filter(datasource=datasource)
        }
        position = max((m.position for m in known.values()), default=0)
        for row in rows:
            system = _system(datasource, row.system)
            mapping = known.get((system, row.local_code))
            if mapping is None:
                position += 1
                mapping = Mapping.objects.create(
                    datasource=datasource,
                    system=system,
                    local_code=row.local_code,
                    local_display=row.local_display,
                    first_seen=row.first_seen or today,
                    added_locally=row.highlighted,
                    position=position,
                )
                known[(system, row.local_code)] = mapping
                new += 1
                audit.record(
                    action=AuditAction.CREATED,
                    obj=mapping,
                    actor=actor,
                    institution=datasource.institution,
                    data={"datasource": datasource.code, "local_code": row.local_code},
                )
            if row.target and row.target != mapping.target:
                _map(actor, datasource, mapping, row.target, row.target_display, row.validated_by)
            elif row.local_display and not mapping.local_display:
                mapping.local_display = row.local_display
                mapping.save(update_fields=["local_display"])
    mappings = Mapping.objects.filter(datasource=datasource)
    return {
        "mapped": mappings.exclude(target="").count(),
        "unmapped": mappings.filter(target="").count(),
        "new": new,
    }


def _map(actor, datasource, mapping: Mapping, target: str, display: str, validated_by: str):
    known = _target_display(datasource, target)
    audit.change(
        mapping,
        action=AuditAction.UPDATED,
        actor=actor,
        institution=datasource.institution,
        data={"datasource": datasource.code, "local_code": mapping.local_code},
        target=target,
        target_display=known or display or "",
        validated_by=validated_by,
        validated_at=timezone.now() if target else None,
    )


def set_mapping(
    actor, datasource: DataSource, local_code: str, target: str, validated_by: str, system: str = ""
) -> Mapping:
    """Map one local code to a provincial code (blank: unmap), with the expert who
    validated it; a code not seen yet is added (the expert's own, highlighted)."""
    require(actor, perms.MAP_CODES, datasource)
    target, validated_by = (target or "").strip(), (validated_by or "").strip()
    errors = []
    if target and _target_display(datasource, target) is None:
        errors.append(
            (
                "target",
                _("'%(code)s' is not a provincial code of the list.") % {"code": target},
                DataSourceError.UNKNOWN_CODE,
            )
        )
    if target and not validated_by:
        errors.append(required("validated_by", _("Say which expert validated it.")))
    if errors:
        raise Invalid(errors=errors)
    with transaction.atomic():
        system = _system(datasource, system)
        mapping = (
            Mapping.objects.select_for_update()
            .filter(datasource=datasource, system=system, local_code=local_code)
            .first()
        )
        if mapping is None:
            position = Mapping.objects.filter(datasource=datasource).count() + 1
            mapping = Mapping.objects.create(
                datasource=datasource,
                system=system,
                local_code=local_code,
                added_locally=True,
                position=position,
            )
        if mapping.target != target:
            _map(actor, datasource, mapping, target, "", validated_by)
    return mapping


def import_conceptmap(actor, datasource: DataSource, resource: dict) -> dict:
    """Take a FHIR R4 ConceptMap (validated by fhir.resources): its mapped elements map
    the local codes. Returns {mapped, unmapped, new}."""
    require(actor, perms.MAP_CODES, datasource)
    try:
        ConceptMap.model_validate(resource)
    except (ValidationError, ValueError, TypeError) as exc:
        first = exc.errors()[0] if isinstance(exc, ValidationError) else {"msg": str(exc)}
        raise Invalid(
            _("Not a valid FHIR ConceptMap: %(reason)s")
            % {"reason": f"{'.'.join(str(p) for p in first.get('loc', ()))} {first['msg']}"},
            field="body",
            code=DataSourceError.NOT_A_CONCEPTMAP,
        ) from exc
    return _import_rows(actor, datasource, rules.rows_from_conceptmap(resource))


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
    name = seal.open_sealed(report.sealed_name).decode()
    data = seal.open_sealed(report.sealed)
    audit.record(
        action=AuditAction.PHI_VIEWED,
        obj=report,
        actor=user,
        institution=report.institution,
        data={"report": report.pk, "from": address},
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
    audit.record(
        action=AuditAction.PHI_VIEWED,
        obj=report,
        actor=user,
        institution=report.institution,
        data={"report": report.pk, "errors": len(out), "from": address},
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
            action=AuditAction.UPDATED,
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
            action=AuditAction.UPDATED,
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


# -- incidents on an organisation --------------------------------------------------------------


def _incident_on(organisation: Organisation, kind: str, summary, description: str):
    """An incident on the organisation; `summary` is written by `summary()` in each
    language (shown in the reader's), the description in the product's."""
    institution = organisation.institution
    summaries = in_both(summary)
    symptoms = (institution.settings or {}).get("datasources", {}).get("symptoms", {})
    name = pick(organisation.name, product_language()) or organisation.code
    return incidents.log_incident(
        system_user(institution),
        institution,
        incidents.IncidentInput(
            channel=Channel.API,
            requester_name=name[:200],
            requester_role=RequesterRole.STAFF,
            requester_site=name[:200],
            symptom=symptoms.get(kind, ""),
            summary=summaries[product_language()][:200],
            summary_i18n=summaries,
            description=str(description),
        ),
    )


def _tell_specialists(datasource: DataSource, incident, what: tuple) -> int:
    contacts = Contact.objects.filter(
        organisation=datasource.organisation, role=ContactRole.INTERFACE_SPECIALIST
    ).exclude(email="")
    for contact in contacts:
        with in_language(contact.language):
            text = str(what[0]) % what[1]
            notify.send_mail(
                [contact.email],
                _("%(source)s: %(what)s (incident %(number)s)")
                % {"source": pick(datasource.label), "what": text, "number": incident.number},
                _(
                    "Hello,\n\n%(source)s: %(what)s. The service desk opened incident "
                    "%(number)s; please look at the interface and tell us.\n\n%(link)s"
                )
                % {
                    "source": pick(datasource.label),
                    "what": text,
                    "number": incident.number,
                    "link": f"{settings.ESCALADE_BASE_URL}/incidents/{incident.number}/",
                },
            )
    return len(contacts)


# -- transmissions --------------------------------------------------------------------------------


HEARTBEAT_CLOCK_SKEW_MINUTES = 5  # how far ahead of ours an engine's clock may be


def heartbeat(actor, datasource: DataSource, at: dt.datetime, messages: int, rejected: int):
    """What the interface engine reports of a source's transmission: its time and its
    counts. A rejection rate over the source's threshold opens an incident and tells
    its interface specialists, once per episode; a good transmission ends the episode
    (of silence or of rejections)."""
    require(actor, perms.HEARTBEAT, datasource)
    errors = []
    if messages < 0 or rejected < 0:
        errors.append(("messages", _("Counts are zero or more."), Code.OUT_OF_RANGE))
    if rejected > messages:
        errors.append(("rejected", _("More rejected than sent."), Code.OUT_OF_RANGE))
    # a clock may drift a little; a date in the future would hide the "source silent" alarm
    if at > timezone.now() + dt.timedelta(minutes=HEARTBEAT_CLOCK_SKEW_MINUTES):
        errors.append(
            (
                "at",
                _("This transmission is dated in the future: check the engine's clock."),
                Code.OUT_OF_RANGE,
            )
        )
    if errors:
        raise Invalid(errors=errors)
    rate = rules.rejection_rate(messages, rejected)
    with transaction.atomic():
        source = (
            DataSource.objects.select_for_update()
            .select_related("organisation__institution")
            .get(pk=datasource.pk)
        )
        if source.last_transmission_at is None or at >= source.last_transmission_at:
            source.last_transmission_at = at
            source.last_messages, source.last_rejected = messages, rejected
        if rejected:
            source.last_error_at = at
        fields = ["last_transmission_at", "last_messages", "last_rejected", "last_error_at"]
        if rate > source.rejection_threshold:
            if source.trouble != "rejections":
                what = (
                    gettext_lazy("%(rate).1f%% of the messages rejected (threshold %(limit)s%%)"),
                    {"rate": rate, "limit": f"{source.rejection_threshold:g}"},
                )
                source.trouble = "rejections"
                source.trouble_incident = _trouble_incident(source, "rejections", what)
                fields += ["trouble", "trouble_incident"]
        elif source.trouble:
            source.trouble, source.trouble_incident = "", None  # the episode is over
            fields += ["trouble", "trouble_incident"]
        source.save(update_fields=fields)
    return source


def _trouble_incident(source: DataSource, kind: str, what: tuple):
    """The incident of an episode, in the product's language (it is stored); the
    specialists are told in theirs. `what`: (message, params)."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(what[0]) % what[1]
        incident = _incident_on(
            source.organisation,
            kind,
            lambda: f"{pick(source.label)}: {str(what[0]) % what[1]}"[:200],
            _("Data source %(source)s (%(system)s): %(what)s.")
            % {"source": pick(source.label), "system": source.system, "what": text},
        )
    _tell_specialists(source, incident, what)
    return incident


def check_silence(now: dt.datetime | None = None) -> list[str]:
    """Open one incident per source silent longer than its limit (the scheduled check);
    several workers running it at once open one: the row's episode is claimed by a
    conditional update first. Returns the sources that went silent."""
    now = now or timezone.now()
    opened = []
    for source in DataSource.objects.filter(active=True, trouble="").exclude(
        last_transmission_at=None
    ):
        if not rules.silent(source.last_transmission_at, now, source.silence_minutes):
            continue
        with transaction.atomic():
            claimed = DataSource.objects.filter(pk=source.pk, trouble="").update(trouble="silence")
            if not claimed:
                continue  # another worker took this episode
            source.refresh_from_db()
            minutes = int((now - source.last_transmission_at).total_seconds() // 60)
            what = (
                gettext_lazy("no transmission for %(minutes)s minutes (limit %(limit)s)"),
                {"minutes": minutes, "limit": source.silence_minutes},
            )
            incident = _trouble_incident(source, "silence", what)
            DataSource.objects.filter(pk=source.pk).update(trouble_incident=incident)
        opened.append(source.code)
    return opened


def remind_unmapped(today: dt.date | None = None) -> dict[str, int]:
    """The weekly job: each source's designated persons and interface specialists get its
    unmapped codes with their age; codes unmapped longer than the source's limit open
    an incident on the organisation (one while it is open)."""
    today = today or timezone.localdate()
    out = {}
    for source in DataSource.objects.filter(active=True).select_related(
        "organisation__institution", "overdue_incident"
    ):
        unmapped = list(Mapping.objects.filter(datasource=source, target="").order_by("first_seen"))
        if not unmapped:
            continue
        out[source.code] = len(unmapped)
        lines = "\n".join(
            f"- {m.local_code} {m.local_display} ({(today - m.first_seen).days} d)"
            for m in unmapped
        )
        for contact in mapping_contacts(source.organisation):
            with in_language(contact.language):
                notify.send_mail(
                    [contact.email],
                    _("%(source)s: %(n)s local codes to map")
                    % {"source": pick(source.label), "n": len(unmapped)},
                    _(
                        "Hello,\n\nThese local codes of %(source)s have no provincial code yet "
                        "(their age in days). Documents that use them may not display in the "
                        "clinical viewer: a risk for patients.\n\n%(lines)s\n\n%(link)s"
                    )
                    % {
                        "source": pick(source.label),
                        "lines": lines,
                        "link": f"{settings.ESCALADE_BASE_URL}/datasources/{source.code}/",
                    },
                )
        overdue = [m for m in unmapped if (today - m.first_seen).days > source.unmapped_days]
        current = source.overdue_incident
        if overdue and (current is None or not current.is_open):
            with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
                incident = _incident_on(
                    source.organisation,
                    "unmapped",
                    lambda source=source, overdue=overdue: (
                        _("%(source)s: %(n)s codes unmapped for more than %(days)s days")
                        % {
                            "source": pick(source.label),
                            "n": len(overdue),
                            "days": source.unmapped_days,
                        }
                    ),
                    _("Unmapped local codes (a risk for patients):\n%(codes)s")
                    % {"codes": "\n".join(f"- {m.local_code} {m.local_display}" for m in overdue)},
                )
                DataSource.objects.filter(pk=source.pk).update(overdue_incident=incident)
    return out
