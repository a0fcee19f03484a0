"""The terminology: worksheets in and out, mappings, the FHIR ConceptMap, and a
worksheet by mail proposed, then approved or rejected by a person."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.catalog.choices import ContactRole
from escalade.catalog.models import Contact, Organisation
from escalade.core import audit
from escalade.core.choices import AuditAction
from escalade.core.errors import Conflict, Invalid, required
from escalade.core.i18n import colon, in_language, pick
from escalade.notifications import services as notify

from .. import rules
from ..choices import ProposalState, Via
from ..errors import DataSourceError
from ..models import (
    DataSource,
    Mapping,
    ProposedImport,
    ProvincialCode,
)
from .reports import designated_users

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
    from ..tasks import import_queued  # noqa: PLC0415 - tasks import services

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
            action=AuditAction.IMPORT_DECIDED,
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
            reason = f"{where}{colon()} {exc.reason}"
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
        action=AuditAction.CODE_MAPPED,
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
    # heavy (36 ms of CPU at every process's start) for a rare import: loaded here
    from fhir.resources.R4B.conceptmap import ConceptMap  # noqa: PLC0415

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
