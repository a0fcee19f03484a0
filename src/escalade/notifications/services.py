"""Sending notifications: in-app, to users or to every member holding a role."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Notification

# What each kind says, with its parameters; translated when shown.
MESSAGES = {
    "protocol_warn": _(
        "Session #%(session)s: %(minutes)s minutes of trouble. Tell the patient it will take longer (step 5)."
    ),
    "protocol_cancel": _(
        "Session #%(session)s: %(minutes)s minutes of trouble. Cancelling the session is recommended (step 6): confirm or continue."
    ),
    "certificate_expires": _("Certificate %(subject)s expires on %(date)s."),
    "certificate_expired": _("Certificate %(subject)s expired on %(date)s: renew it."),
    "licence_ends": _("Licence %(product)s (%(holder)s) ends on %(date)s: decide on its renewal."),
    "licence_ended": _("Licence %(product)s (%(holder)s) ended on %(date)s."),
    "notice_published": _("Service notice: %(title)s"),
    "notice_updated": _("Service notice updated: %(title)s"),
    "notice_resolved": _("Service notice resolved: %(title)s"),
    "notice_cancelled": _("Service notice cancelled: %(title)s"),
    "interruption_reported": _("%(organisation)s reports an interruption: %(systems)s."),
    "patient_safety": _(
        "Possible impact on a patient's safety: incident %(number)s. Prepare the incident declaration."
    ),
}


def render(notification: Notification) -> str:
    template = MESSAGES.get(notification.kind)
    if template is None:
        return notification.kind
    try:
        return str(template) % notification.params
    except (KeyError, TypeError):
        return str(template)


def to_users(users, *, kind: str, params: dict | None = None, link: str = "") -> int:
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
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def send_mail(
    to: list[str], subject: str, body: str, *, attachment: tuple[str, bytes, str] | None = None
):
    """Queue an e-mail: written now (in the caller's transaction), sent by a task worker
    after commit, retried with backoff if the server refuses or is down."""
    from django.db import transaction

    from .models import OutgoingMail
    from .tasks import deliver_mail

    mail = OutgoingMail.objects.create(
        to=[t for t in to if t],
        subject=subject[:300],
        body=body,
        attachment_name=attachment[0] if attachment else "",
        attachment=attachment[1] if attachment else b"",
        attachment_type=attachment[2] if attachment else "",
    )
    transaction.on_commit(lambda: deliver_mail.enqueue(mail.pk))
    return mail


def deliver(mail_id: int) -> str:
    """Try to send one queued e-mail; on failure schedule the next try (1, 2, 4... minutes)."""

    from django.core.mail import EmailMessage
    from django.db import transaction

    from .models import OutgoingMail
    from .tasks import deliver_mail

    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update().get(pk=mail_id)
        if mail.state != OutgoingMail.PENDING:
            return mail.state
        message = EmailMessage(mail.subject, mail.body, to=mail.to)
        if mail.attachment_name:
            message.attach(mail.attachment_name, bytes(mail.attachment), mail.attachment_type)
        mail.attempts += 1
        try:
            message.send()
        except Exception as exc:  # noqa: BLE001 - any failure of the mail server is retried
            _failed_attempt(mail, f"{type(exc).__name__}: {exc}", deliver_mail)
        else:
            mail.state, mail.sent_at, mail.last_error = OutgoingMail.SENT, timezone.now(), ""
        mail.save()
    return mail.state


def mail_role(institution, role: str, *, subject, body, params: dict) -> int:
    """E-mail every member holding `role`, each in their own language."""
    from django.utils import translation

    from escalade.accounts.services import language_of

    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=role, memberships__institution=institution)
        .exclude(email="")
        .distinct()
    )
    n = 0
    for user in users:
        with translation.override(language_of(user)):
            send_mail([user.email], str(subject) % params, str(body) % params)
        n += 1
    return n


def sign(secret: str, body: bytes) -> str:
    import hashlib
    import hmac

    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def emit(institution, event: str, payload: dict) -> int:
    """Queue `event` for every active webhook of the institution that wants it."""
    from django.db import connection, transaction

    from escalade.core import prepared

    from .models import Webhook, WebhookDelivery
    from .tasks import deliver_webhook

    with connection.cursor() as cursor:  # on every intake: core/prepared.py
        cursor.execute(
            f'SELECT {prepared.columns(Webhook, "w")} FROM "{Webhook._meta.db_table}" w'
            " WHERE w.institution_id = %s AND w.active = %s ORDER BY w.id",
            [institution.pk, True],
        )
        hooks = [
            h
            for h in prepared.instances(Webhook, cursor.fetchall())
            if not h.events or event in h.events
        ]
    for hook in hooks:
        delivery = WebhookDelivery.objects.create(webhook=hook, event=event, payload=payload)
        transaction.on_commit(lambda pk=delivery.pk: deliver_webhook.enqueue(pk))
    return len(hooks)


def deliver_hook(delivery_id: int) -> str:
    """POST one event; on failure schedule the next try (1, 2, 4... minutes)."""
    import json
    import urllib.error
    import urllib.request

    from django.db import transaction

    from .models import OutgoingMail, WebhookDelivery
    from .tasks import deliver_webhook

    with transaction.atomic():
        d = (
            WebhookDelivery.objects.select_for_update()
            .select_related("webhook")
            .get(pk=delivery_id)
        )
        if d.state != OutgoingMail.PENDING:
            return d.state
        body = json.dumps(
            {"event": d.event, "delivery": d.pk, "data": d.payload}, ensure_ascii=False
        ).encode()
        request = urllib.request.Request(
            d.webhook.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Escalade-Event": d.event,
                "X-Escalade-Delivery": str(d.pk),
                "X-Escalade-Signature": sign(d.webhook.secret, body),
            },
        )
        d.attempts += 1
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - admin-set URL
                ok = 200 <= response.status < 300
                error = "" if ok else f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as exc:
            ok, error = False, f"{type(exc).__name__}: {exc}"
        if ok:
            d.state, d.delivered_at, d.last_error = OutgoingMail.SENT, timezone.now(), ""
        else:
            _failed_attempt(d, error, deliver_webhook)
        d.save()
    return d.state


def _failed_attempt(row, error: str, task) -> None:
    """After a failed send (e-mail or webhook): try again after 1, 2, 4... minutes, or give
    up after ESCALADE_MAIL_MAX_ATTEMPTS and leave it failed for an administrator to see."""
    import datetime as dt

    from django.conf import settings
    from django.db import transaction

    from .models import OutgoingMail

    row.last_error = error[:2000]
    if row.attempts >= settings.ESCALADE_MAIL_MAX_ATTEMPTS:
        row.state = OutgoingMail.FAILED
        return
    row.next_attempt_at = timezone.now() + dt.timedelta(minutes=2 ** (row.attempts - 1))
    run_after, pk = row.next_attempt_at, row.pk
    transaction.on_commit(lambda: task.using(run_after=run_after).enqueue(pk))
