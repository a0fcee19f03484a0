"""Every sign-in, refusal and sign-out in the audit log (Django's signals, whatever the
way in: a local password, the directory, an OpenID provider)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from escalade.core import audit
from escalade.core.choices import AuditAction
from escalade.core.models import AuditEvent
from escalade.core.public import client_address


def _how(request) -> str:
    if request is None:
        return ""
    return getattr(request, "escalade_sign_in_via", "") or "password"


def signed_in(sender, request, user, **kwargs) -> None:
    """A sign-in, and which way."""
    audit.record(
        action=AuditAction.SIGNED_IN,
        obj=user,
        actor=user,
        data={"via": _how(request), "address": client_address(request) if request else ""},
    )


def signed_out(sender, request, user, **kwargs) -> None:
    """A sign-out."""
    if user is None or not user.pk:
        return
    audit.record(
        action=AuditAction.SIGNED_OUT,
        obj=user,
        actor=user,
        data={"address": client_address(request) if request else ""},
    )


def refused(sender, credentials, request=None, **kwargs) -> None:
    """A refused sign-in: the name tried (never the password), from where, and why when
    known (the directory down, no role)."""
    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username__iexact=username).first()
    AuditEvent.objects.create(
        action=AuditAction.SIGN_IN_FAILED,
        object_type="user",
        object_id=str(user.pk) if user else username,
        data={
            "username": username,
            "address": client_address(request) if request else "",
            "why": getattr(request, "escalade_sign_in_problem", "") if request else "",
        },
    )
