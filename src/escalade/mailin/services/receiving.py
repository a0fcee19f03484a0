"""A message received (by the IMAP collector or the mail gateway) becomes a new
incident, a reply on one, a handler's work, or a rejection kept with its reason."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts.models import Profile
from escalade.accounts.services import system_user
from escalade.catalog.models import Contact
from escalade.core.errors import Conflict, Invalid
from escalade.core.i18n import in_language, pick, product_language
from escalade.incidents import services as incidents
from escalade.incidents.choices import Channel
from escalade.incidents.models import Incident

from .. import handlers, rules
from ..choices import Direction, Kind, OnClosed, State
from ..errors import MailError
from ..models import Attachment, Mailbox, Message
from .common import Refused
from .sending import _acknowledge, _send

if TYPE_CHECKING:
    from .. import authenticity

log = logging.getLogger("escalade.mailin")


# -- receiving -------------------------------------------------------------------------


def receive(
    mailbox: Mailbox, raw: bytes, *, via: str, uid: int | None = None, tell=True
) -> Message:
    """Take one message for `mailbox`: the row that records what became of it. The same
    message twice returns the first row. A message's own faults reject it (kept, with
    the reason); a database fault raises, and the message waits in its folder."""
    try:
        parsed = rules.parse(raw)
    except rules.Malformed as exc:
        parsed, problem = None, exc
    key = rules.message_key(raw, parsed.message_id if parsed else "")
    existing = _taken(mailbox, key)
    if existing is not None:
        existing.again = True
        return existing
    if parsed is None:
        return _reject(mailbox, raw, key, via, uid, None, MailError.MALFORMED, str(problem), tell)
    rule = rules.matching_rule(mailbox.rules, parsed.sender, parsed.subject)
    verdict = _verdict(raw, rule)
    try:
        with transaction.atomic():
            message = _take(mailbox, raw, parsed, key, via, uid, rule, verdict)
            Mailbox.objects.filter(pk=mailbox.pk).update(taken=F("taken") + 1)
            return message
    except IntegrityError:
        existing = _taken(mailbox, key)  # another process took it at the same moment
        if existing is not None:
            existing.again = True
            return existing
        raise
    except Refused as exc:
        return _reject(mailbox, raw, key, via, uid, parsed, exc.code, exc, tell)
    except (Invalid, Conflict) as exc:
        reason = "; ".join(f"{e['field']}: {e['message']}" for e in exc.as_errors())
        return _reject(mailbox, raw, key, via, uid, parsed, MailError.NOT_TAKEN, reason, False)


def _taken(mailbox: Mailbox, key: str) -> Message | None:
    return (
        Message.objects.filter(
            institution=mailbox.institution_id, direction=Direction.IN, message_id=key
        )
        .defer("raw")
        .order_by()
        .first()
    )


def _row(mailbox, raw, key, via, uid, parsed, **values) -> Message:
    return Message.objects.create(
        institution_id=mailbox.institution_id,
        mailbox=mailbox,
        direction=Direction.IN,
        via=via,
        message_id=key,
        uid=uid,
        raw=raw,
        size=len(raw),
        sender=parsed.sender if parsed else "",
        sender_name=parsed.sender_name if parsed else "",
        to=parsed.to if parsed else [],
        subject=parsed.subject if parsed else "",
        in_reply_to=parsed.in_reply_to if parsed else "",
        references=" ".join(parsed.references) if parsed else "",
        **values,
    )


def _verdict(raw: bytes, rule: rules.Rule | None) -> authenticity.Verdict:
    """Where the message comes from (DNS may be asked: before any transaction opens)."""
    # dkimpy and dnspython load when a message is checked, not at every process's start
    # (about 55 ms of a 2 s start: docs/benchmarks.md)
    from .. import authenticity  # noqa: PLC0415

    return authenticity.verify(
        raw,
        trusted_relays=settings.ESCALADE_MAIL_TRUSTED_RELAYS,
        dns_server=settings.ESCALADE_MAIL_DNS,
        pinned_keys=rule.dkim_keys if rule is not None else None,
    )


def _take(
    mailbox: Mailbox, raw: bytes, parsed: rules.Parsed, key, via, uid, rule, verdict
) -> Message:
    institution = mailbox.institution
    if parsed.automatic:  # RFC 3834: no incident, no answer, no loop
        return _row(
            mailbox, raw, key, via, uid, parsed, state=State.IGNORED, reason_code=parsed.automatic
        )
    if rule is not None and rule.authenticated and not verdict.passed:
        # a forged or unverifiable message on a rule that trusts its sender: kept for the
        # record (no bytes, no text), never acted on, its sender never answered
        log.warning(
            "mailbox %s held a message claiming %s: %s",
            mailbox.code,
            verdict.domain,
            verdict.result,
        )
        return _row(
            mailbox,
            b"",
            key,
            via,
            uid,
            parsed,
            state=State.HELD,
            rule=rule.code,
            authentication=verdict.result,
            reason_code=MailError.NOT_AUTHENTICATED,
            reason=_held_reason(rule, verdict),
        )
    if rule is not None and rule.action == "drop":
        return _row(
            mailbox,
            raw,
            key,
            via,
            uid,
            parsed,
            state=State.DROPPED,
            rule=rule.code,
            reason=pick(rule.reason, product_language()),
        )
    if rule is not None and rule.action == "handler":
        handler = handlers.get(rule.handler)
        if handler is None:
            raise Refused(MailError.NO_HANDLER, "no handler '%(name)s'", {"name": rule.handler})
        # the handler keeps what it needs: neither the bytes nor the text stay here
        message = _row(
            mailbox,
            b"",
            key,
            via,
            uid,
            parsed,
            state=State.ROUTED,
            rule=rule.code,
            authentication=verdict.result,
        )
        message.size = len(raw)
        message.reason = str(handler(mailbox, parsed, message, rule.options) or "")[:2000]
        message.save(update_fields=["reason", "size"])
        return message
    for claim in handlers.reply_claims():  # a reply another app sent for (a page)
        done = claim(mailbox, parsed, verdict)
        if done is not None:
            return _row(
                mailbox,
                b"",
                key,
                via,
                uid,
                parsed,
                state=State.ROUTED,
                authentication=verdict.result,
                reason=str(done)[:2000],
            )
    _check_attachments(parsed)
    person = _person(institution, parsed.sender)
    lang = rules.language(parsed.language_header, parsed.text, person.language)
    incident = _thread_of(institution, parsed)
    if incident is not None and (incident.is_open or mailbox.on_closed == OnClosed.REOPEN):
        incidents.requester_replied(incident, "", sender=parsed.sender, reopen=True)
        message = _row(
            mailbox,
            raw,
            key,
            via,
            uid,
            parsed,
            state=State.THREADED,
            authentication=verdict.result,
            incident=incident,
            text=parsed.text,
            language=lang,
        )
        _store_attachments(message, parsed, incident)
        return message
    symptom = rules.symptom_for(f"{parsed.subject}\n{parsed.text}", _keywords(institution))
    data = incidents.IncidentInput(
        channel=Channel.EMAIL,
        requester_name=(parsed.sender_name or person.name or parsed.sender)[:200],
        requester_role=mailbox.requester_role,
        requester_site=person.site or mailbox.site,
        requester_phone=person.phone,
        requester_email=parsed.sender,
        symptom=symptom or mailbox.unclassified_symptom,
        to_classify=not symptom,
        summary=(parsed.subject or _("(no subject)"))[:200],
        # the text may name a patient: it stays with the message, read by the roles
        # allowed to see personal health information (mailin/selectors.readable_thread)
        description="",
        level=rule.level if rule is not None else 1,
        follows=incident,
    )
    new = incidents.log_incident(system_user(institution), institution, data)
    message = _row(
        mailbox,
        raw,
        key,
        via,
        uid,
        parsed,
        state=State.OPENED,
        authentication=verdict.result,
        incident=new,
        text=parsed.text,
        language=lang,
        rule=rule.code if rule is not None else "",
    )
    _store_attachments(message, parsed, new)
    if mailbox.acknowledge and not verdict.failed:
        # no answer to a message that failed authentication: its From is likely forged,
        # and the answer would go to someone who never wrote (backscatter)
        _acknowledge(mailbox, new, message, lang or product_language())
    return message


def _held_reason(rule: rules.Rule, verdict: authenticity.Verdict) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Held, not acted on: the rule %(rule)s takes only a message authenticated as "
            "coming from %(domain)s (%(detail)s)."
        ) % {"rule": rule.code, "domain": verdict.domain or "?", "detail": verdict.detail}


def _check_attachments(parsed: rules.Parsed) -> None:
    limit = settings.ESCALADE_MAIL_ATTACHMENT_MAX_BYTES
    refused = frozenset(settings.ESCALADE_MAIL_REFUSED_EXTENSIONS)
    if len(parsed.attachments) > settings.ESCALADE_MAIL_MAX_ATTACHMENTS:
        raise Refused(
            MailError.TOO_MANY_ATTACHMENTS,
            gettext_lazy("%(count)s attachments: at most %(max)s are taken."),
            {"count": len(parsed.attachments), "max": settings.ESCALADE_MAIL_MAX_ATTACHMENTS},
        )
    for part in parsed.attachments:
        why = rules.refused_attachment(part, limit, refused)
        if why == "too_large":
            raise Refused(
                MailError.ATTACHMENT_TOO_LARGE,
                gettext_lazy("The attachment %(name)s is %(size)s MB: the limit is %(max)s MB."),
                {
                    "name": part.filename,
                    "size": f"{part.size / 1_000_000:.1f}",
                    "max": f"{limit / 1_000_000:g}",
                },
            )
        if why:
            raise Refused(
                MailError.DANGEROUS_ATTACHMENT,
                gettext_lazy("The attachment %(name)s is of a type that is refused (%(type)s)."),
                {"name": part.filename, "type": part.content_type},
            )


def _store_attachments(message: Message, parsed: rules.Parsed, incident: Incident) -> None:
    Attachment.objects.bulk_create(
        [
            Attachment(
                message=message,
                incident=incident,
                filename=p.filename,
                content_type=p.content_type[:100],
                size=p.size,
                sha256=p.sha256,
                data=p.data,
            )
            for p in parsed.attachments
        ]
    )


@dataclass
class Person:
    """What the institution knows of a sender."""

    name: str = ""
    site: str = ""
    phone: str = ""
    language: str = ""


def _person(institution, address: str) -> Person:
    """What the institution knows of the sender: a catalogue contact, else a user."""
    contact = (
        Contact.objects.filter(organisation__institution=institution, email__iexact=address)
        .select_related("organisation")
        .first()
    )
    if contact is not None:
        # the site as the contact writes it, in their language
        site = pick(contact.organisation.name, contact.language)[:200]
        return Person(contact.name, site, contact.phone, contact.language)
    user = (
        get_user_model()
        .objects.filter(email__iexact=address, memberships__institution=institution)
        .first()
    )
    if user is not None:
        profile = Profile.objects.filter(user=user).first()
        return Person(user.get_full_name(), "", "", profile.language if profile else "")
    return Person()


def _keywords(institution) -> dict:
    return {
        code: c.keywords for code, c in incidents.symptoms_of(institution).items() if c.keywords
    }


def _thread_of(institution, parsed: rules.Parsed) -> Incident | None:
    """The incident a message answers: by the Message-IDs it names (one Escalade sent or
    received), else by the number in its subject when the sender is its requester."""
    ids = rules.thread_ids(parsed)
    if ids:
        known = (
            Message.objects.filter(institution=institution, message_id__in=ids[:50])
            .exclude(incident=None)
            .select_related("incident")
            .order_by("-at")
            .first()
        )
        if known is not None:
            return known.incident
    number = rules.number_in(parsed.subject, institution.request_prefix)
    if number:
        incident = Incident.objects.filter(institution=institution, number=number).first()
        if incident is not None and incident.requester_email == parsed.sender:
            return incident
    return None


def _reject(mailbox, raw, key, via, uid, parsed, code, why, tell) -> Message:
    """Keep the message as rejected, with the reason (in the product's language); tell
    its sender, in theirs, when what it carries was refused."""
    with translation.override(settings.LANGUAGE_CODE):
        reason = why.reason if isinstance(why, Refused) else str(why)
    with transaction.atomic():
        existing = _taken(mailbox, key)
        if existing is not None:
            return existing
        message = _row(
            mailbox,
            raw,
            key,
            via,
            uid,
            parsed,
            state=State.REJECTED,
            reason_code=str(code),
            reason=reason[:2000],
        )
        Mailbox.objects.filter(pk=mailbox.pk).update(rejected=F("rejected") + 1)
        # The sender is told why, once (this row exists once), unless a machine wrote it.
        if (
            tell
            and parsed is not None
            and not parsed.automatic
            and code
            in (
                MailError.ATTACHMENT_TOO_LARGE,
                MailError.DANGEROUS_ATTACHMENT,
                MailError.TOO_MANY_ATTACHMENTS,
            )
        ):
            lang = rules.language(parsed.language_header, parsed.text) or product_language()
            with in_language(lang):
                _send(
                    mailbox,
                    incident=None,
                    to=parsed.sender,
                    subject=_("Your message was not taken: %(subject)s")
                    % {"subject": parsed.subject or _("(no subject)")},
                    body=_(
                        "Hello,\n\nYour message « %(subject)s » was not taken by %(mailbox)s:\n"
                        "%(reason)s\n\nSend it again without this attachment, or call the "
                        "service desk.\n\nThis message was sent automatically."
                    )
                    % {
                        "subject": parsed.subject or _("(no subject)"),
                        "mailbox": mailbox.label_text,
                        "reason": why.reason,
                    },
                    kind=Kind.REFUSAL,
                    answering=message,
                    automatic=True,
                )
    log.info("mailbox %s rejected message %s: %s", mailbox.code, message.pk, code)
    return message
