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
