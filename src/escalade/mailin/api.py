"""The mailboxes API: their state, fetching now, rejected messages taken again, an
incident's e-mail thread and its attachments."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, Query, Router, Schema

from escalade.accounts import rules as perms
from escalade.accounts.services import resolve_institution
from escalade.core.pagination import PageQuery, page_of, paginate
from escalade.core.schema import errors_for, one_of
from escalade.incidents import selectors as incident_selectors
from escalade.incidents.errors import IncidentError

from . import selectors, services
from .choices import Direction, Kind, State
from .errors import MailError

router = Router(tags=["mailboxes"])
ERRORS = errors_for("Mailboxes", MailError, IncidentError)


class MailboxOut(Schema):
    code: str
    institution: str
    name: str
    address: str
    active: bool
    imap: bool = Field(description="read by the IMAP collector (else: by the gateway only)")
    gateway: bool
    last_fetch_at: dt.datetime | None
    last_error: str
    taken: int
    rejected: int
    errors: int


def _mailbox(box) -> dict:
    return {
        "code": box.code,
        "institution": box.institution.code,
        "name": box.label_text,
        "address": box.address,
        "active": box.active,
        "imap": box.collects,
        "gateway": box.gateway,
        "last_fetch_at": box.last_fetch_at,
        "last_error": box.last_error,
        "taken": box.taken,
        "rejected": box.rejected,
        "errors": box.errors,
    }


class InstitutionQuery(Schema):
    institution: str | None = None


class FetchOut(Schema):
    taken: int
    rejected: int
    again: int = Field(description="read before and not taken twice")
    busy: bool = Field(description="another collector was reading it: nothing done")


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    url: str


class MailMessageOut(Schema):
    id: int
    direction: one_of(Direction)
    kind: one_of(Kind)
    state: one_of(State)
    at: dt.datetime
    sender: str
    sender_name: str
    to: list[str]
    subject: str
    text: str = Field(description="empty for a reader not allowed to see patients' information")
    restricted: bool = Field(
        description="the text and attachments are withheld from this reader (they may name "
        "a patient); each display to a reader allowed is recorded"
    )
    message_id: str
    reason: str
    attachments: list[AttachmentOut]


def _message(m) -> dict:
    return {
        "id": m.pk,
        "direction": m.direction,
        "kind": m.kind,
        "state": m.state,
        "at": m.at,
        "sender": m.sender,
        "sender_name": m.sender_name,
        "to": m.to,
        "subject": m.subject,
        "text": m.text,
        "restricted": getattr(m, "restricted", False),
        "message_id": m.message_id,
        "reason": m.reason,
        "attachments": [
            {
                "id": a.pk,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "url": f"/api/attachments/{a.pk}",
            }
            for a in getattr(m, "shown_attachments", m.attachments.all())
        ],
    }


class RejectedOut(Schema):
    id: int
    state: one_of(State) = Field(
        description="rejected (can be taken again) or held (failed authentication: never "
        "acted on, nothing of it kept but its envelope)"
    )
    mailbox: str
    at: dt.datetime
    sender: str
    subject: str
    size: int
    reason_code: str
    reason: str


@router.get("/mailboxes", response={200: page_of(MailboxOut), **ERRORS}, summary="The mailboxes")
def list_mailboxes(request, q: Query[InstitutionQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.MAILBOX_RUN)
    boxes = selectors.mailboxes(request.auth, institution).select_related("institution")
    return paginate([_mailbox(b) for b in boxes], page)


@router.post(
    "/mailboxes/{code}/fetch",
    response={200: FetchOut, **ERRORS},
    summary="Read a mailbox's new messages now",
)
def fetch(request, code: str, q: Query[InstitutionQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.MAILBOX_RUN)
    r = services.fetch_now(request.auth, selectors.mailbox(request.auth, institution, code))
    return {"taken": r.taken, "rejected": r.rejected, "again": r.again, "busy": r.busy}


@router.get(
    "/mailboxes/rejected",
    response={200: page_of(RejectedOut), **ERRORS},
    summary="Messages the mailboxes rejected or held, with the reason",
)
def rejected(request, q: Query[InstitutionQuery], page: Query[PageQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.MAILBOX_RUN)
    return paginate(
        selectors.rejected(request.auth, institution, limit=None),
        page,
        order=("-at", "-id"),
        serialize=lambda m: {
            "id": m.pk,
            "state": m.state,
            "mailbox": m.mailbox.code if m.mailbox else "",
            "at": m.at,
            "sender": m.sender,
            "subject": m.subject,
            "size": m.size,
            "reason_code": m.reason_code,
            "reason": m.reason,
        },
    )


@router.post(
    "/mailboxes/rejected/{message_id}/retake",
    response={200: MailMessageOut, **ERRORS},
    summary="Take a rejected message again",
)
def retake(request, message_id: int, q: Query[InstitutionQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.MAILBOX_RUN)
    message = services.retake(
        request.auth, selectors.rejected_message(request.auth, institution, message_id)
    )
    return _message(message)


@router.get(
    "/incidents/{number}/messages",
    response={200: page_of(MailMessageOut), **ERRORS},
    summary="An incident's e-mails, received and sent",
)
def messages(request, number: str, page: Query[PageQuery]):
    incident = incident_selectors.find(request.auth, number)
    thread = services.read_thread(request.auth, incident, "API")
    return paginate(thread, page, serialize=_message)


@router.get(
    "/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    summary="Download an attachment (audited)",
)
def download(request, attachment_id: int):
    item = services.download_attachment(request.auth, attachment_id)
    response = HttpResponse(
        bytes(item.data), content_type=item.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition_header(True, item.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
