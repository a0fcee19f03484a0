"""Sending notifications: in-app, to users or to every member holding a role."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import Error as DatabaseError
from django.db import close_old_connections, connection, transaction
from django.utils import timezone, translation

from escalade.accounts.services import language_of
from escalade.core import prepared

from . import sql

# What each kind says (messages.py), as the other apps read it: notify.MESSAGES[kind]
from .messages import IN_APP, MESSAGES, render  # noqa: F401
from .models import Notification, OutgoingMail, WebhookDelivery


def to_users(users, *, kind: str, params: dict | None = None, link: str = "") -> int:
    """Notify these users in the application; returns how many."""
    rows = [Notification(user=u, kind=kind, params=params or {}, link=link) for u in users]
    Notification.objects.bulk_create(rows)
    return len(rows)


def to_role(
    institution, role: str, *, kind: str, params: dict | None = None, link: str = ""
) -> int:
    """Notify every active member of `institution` holding `role`."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=role, memberships__institution=institution)
        .distinct()
    )
    return to_users(users, kind=kind, params=params, link=link)


def unread_count(user) -> int:
    """How many of the user's notifications are unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, ids=None) -> int:
    """Mark the user's notifications read (these ids, or all); returns how many."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def send_mail(
    to: list[str],
    subject: str,
    body: str,
    *,
    attachment: tuple[str, bytes, str] | None = None,
    from_email: str = "",
    headers: dict[str, str] | None = None,
):
    """Queue an e-mail: written now (in the caller's transaction), sent by a task worker
    after commit, retried with backoff if the server refuses or is down. `from_email`
    (a mailbox's address) and `headers` (threading, Auto-Submitted) are optional."""
    from .tasks import deliver_mail  # noqa: PLC0415 (cycle: tasks import services)

    mail = OutgoingMail.objects.create(
        to=[t for t in to if t],
        from_email=from_email,
        headers=headers or {},
        subject=" ".join(subject.split())[:300],
        body=body,
        attachment_name=attachment[0] if attachment else "",
        attachment=attachment[1] if attachment else b"",
        attachment_type=attachment[2] if attachment else "",
    )
    # Queued in the caller's transaction (the queue is this database): the e-mail and its
    # task are written together or not at all, even if the process dies at commit.
    deliver_mail.enqueue(mail.pk)
    return mail


def message_id(mail) -> str:
    """The Message-ID an e-mail keeps through retries (so a retry is not a second e-mail)."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "escalade.invalid"
    return f"<escalade.mail.{mail.pk}.{mail.created_at:%Y%m%d%H%M%S}@{domain}>"


def deliver(mail_id: int) -> str:
    """Try to send one queued e-mail; on failure schedule the next try (1, 2, 4... minutes)."""

    from .tasks import deliver_mail  # noqa: PLC0415 (cycle: tasks import services)

    def send(mail) -> str:
        # One Message-ID per e-mail, the same on every attempt: if a worker dies after the
        # server took the message, the next attempt is recognisable as the same message.
        message = EmailMessage(
            mail.subject,
            mail.body,
            from_email=mail.from_email or None,
            to=mail.to,
            headers={**mail.headers, "Message-ID": message_id(mail)},
        )
        if mail.attachment_name:
            message.attach(mail.attachment_name, bytes(mail.attachment), mail.attachment_type)
        try:
            message.send()
        except Exception as exc:  # noqa: BLE001 - any failure of the mail server is retried
            return f"{type(exc).__name__}: {exc}"
        return ""

    return _attempt(OutgoingMail, mail_id, send, deliver_mail, done_field="sent_at")


def _attempt(model, pk: int, send, task, *, done_field: str) -> str:
    """Send one e-mail or webhook delivery at most once per attempt, across workers and
    faults: (1) claim it (pending -> sending) in a short transaction; (2) send, holding no
    database lock; (3) record the outcome, waiting for the database if it is down, since
    what the server was told cannot be taken back. A claim older than the task lease is
    a sender that died: the row is sent again (same Message-ID for e-mail)."""

    lease = dt.timedelta(seconds=settings.ESCALADE_TASK_LEASE_SECONDS)
    with transaction.atomic():
        row = model.objects.select_for_update().get(pk=pk)
        now = timezone.now()
        if row.state in (OutgoingMail.SENT, OutgoingMail.FAILED):
            return row.state
        if row.state == OutgoingMail.SENDING and row.claimed_at and row.claimed_at > now - lease:
            return row.state  # another worker is sending it now
        row.state, row.claimed_at = OutgoingMail.SENDING, now
        row.attempts += 1
        row.save(update_fields=["state", "claimed_at", "attempts"])
    error = send(row)
    delay = 0.5
    for _try in range(40):  # about ten minutes of database outage
        try:
            close_old_connections()
            with transaction.atomic():
                row = model.objects.select_for_update().get(pk=pk)
                if error:
                    _failed_attempt(row, error, task)
                else:
                    row.state, row.last_error = OutgoingMail.SENT, ""
                    setattr(row, done_field, timezone.now())
                row.claimed_at = None
                row.save()
            return row.state
        except DatabaseError:
            connection.close()
            time.sleep(delay)
            delay = min(delay * 2, 30)
    raise RuntimeError(f"could not record the outcome of {model.__name__} {pk}")


def mail_users(users, *, subject, body, params: dict) -> int:
    """E-mail each of `users` that has an address, each in their own language."""

    n = 0
    for user in users:
        if not user.email:
            continue
        with translation.override(language_of(user)):
            send_mail([user.email], str(subject) % params, str(body) % params)
        n += 1
    return n


def mail_role(institution, role: str, *, subject, body, params: dict) -> int:
    """E-mail every member holding `role`, each in their own language."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=role, memberships__institution=institution)
        .exclude(email="")
        .distinct()
    )
    return mail_users(users, subject=subject, body=body, params=params)


def members(institution, roles) -> list[int]:
    """The active members of `institution` holding any of `roles`."""
    return list(
        get_user_model()
        .objects.filter(
            is_active=True, groups__name__in=list(roles), memberships__institution=institution
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def named(institution, usernames) -> list[int]:
    """The active members of `institution` with these usernames (a pack names people)."""
    return list(
        get_user_model()
        .objects.filter(
            is_active=True, username__in=list(usernames), memberships__institution=institution
        )
        .values_list("pk", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class Person:
    """Whom to tell: what the caller often knows already (the intake's pick of the least
    loaded member reads these with it), so telling costs no extra query."""

    pk: int
    username: str
    email: str = ""


def people(user_ids) -> list[Person]:
    """These users as people to tell: name, e-mail address, language."""
    return [
        Person(pk, username, email)
        for pk, username, email in get_user_model()
        .objects.filter(pk__in=set(user_ids), is_active=True)
        .values_list("pk", "username", "email")
    ]


def mailed(who: list[Person]) -> list[str]:
    """The usernames of `who` that tell() also e-mails (those with an address): what an
    audit record says reached them by e-mail."""
    return sorted(p.username for p in who if p.email)


def tell(
    who: list[Person], *, kind: str, params: dict, link: str, subject, by_mail: bool = True
) -> list[str]:
    """Tell people in-app and by e-mail (each in their language) what `kind` says; the
    usernames told, for the record. Written in the caller's transaction (on the intake's
    hot path: the in-app rows go through core/prepared.py)."""

    if not who:
        return []
    prepared.insert(
        [Notification(user_id=p.pk, kind=kind, params=params, link=link) for p in who],
        keys=False,
    )
    if by_mail:
        mail_users([p for p in who if p.email], subject=subject, body=MESSAGES[kind], params=params)
    return sorted(p.username for p in who)


def sign(secret: str, body: bytes) -> str:
    """The HMAC-SHA256 signature of a webhook's body, as sent in its header."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _hooks(institution, event: str, opt_in: bool) -> list:
    """The institution's active webhooks that receive `event`: those that name it, and
    those that hear every event unless the event is sent only to those naming it."""
    return [
        h
        for h in sql.active_hooks(institution.pk)
        if event in h.events or (not h.events and not opt_in)
    ]


def hooked(institution, event: str, *, opt_in: bool = False) -> bool:
    """Whether an active webhook of the institution receives `event`."""
    return bool(_hooks(institution, event, opt_in))


def emit(institution, event: str, payload: dict, *, opt_in: bool = False) -> int:
    """Queue `event` for every active webhook of the institution that wants it."""
    from .tasks import deliver_webhook  # noqa: PLC0415 (cycle: tasks import services)

    hooks = _hooks(institution, event, opt_in)
    for hook in hooks:
        delivery = WebhookDelivery.objects.create(webhook=hook, event=event, payload=payload)
        deliver_webhook.enqueue(delivery.pk)
    return len(hooks)


def event_to_webhooks(event) -> int:
    """Subscriber of every domain event: one that partners know (`hook`) is queued for
    the webhooks of its institution, in the event's transaction (the outbox)."""
    if not event.hook or event.institution is None:
        return 0
    return emit(event.institution, event.hook, event.hook_data(), opt_in=event.hook_opt_in)


def deliver_hook(delivery_id: int) -> str:
    """POST one event; on failure schedule the next try (1, 2, 4... minutes)."""

    from .tasks import deliver_webhook  # noqa: PLC0415 (cycle: tasks import services)

    def send(d) -> str:
        body = json.dumps(
            {"event": d.event, "delivery": d.pk, "data": d.payload}, ensure_ascii=False
        ).encode()
        hook = d.webhook
        request = urllib.request.Request(
            hook.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Escalade-Event": d.event,
                "X-Escalade-Delivery": str(d.pk),
                "X-Escalade-Signature": sign(hook.secret, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - admin-set URL
                return "" if 200 <= response.status < 300 else f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as exc:
            return f"{type(exc).__name__}: {exc}"

    return _attempt(WebhookDelivery, delivery_id, send, deliver_webhook, done_field="delivered_at")


def _failed_attempt(row, error: str, task) -> None:
    """After a failed send (e-mail or webhook): try again after 1, 2, 4... minutes, or give
    up after ESCALADE_MAIL_MAX_ATTEMPTS and leave it failed for an administrator to see."""

    row.last_error = error[:2000]
    row.state = OutgoingMail.PENDING
    if row.attempts >= settings.ESCALADE_MAIL_MAX_ATTEMPTS:
        row.state = OutgoingMail.FAILED
        return
    row.next_attempt_at = timezone.now() + dt.timedelta(minutes=2 ** (row.attempts - 1))
    task.using(run_after=row.next_attempt_at).enqueue(row.pk)
