"""A second factor for local accounts (administrators, break-glass accounts): a TOTP
code from an authenticator app (django-otp), or a passkey where the browser offers one
(WebAuthn, django-otp-webauthn: a security key, the computer's or the phone's screen
lock). A local account that has one gives it after its password; settings.ESCALADE_OTP
says who must have one: "admins" (superusers: the default when ESCALADE_PRODUCTION=1),
"all" (every local account) or "optional". Directory and provider accounts are left to
the directory's own second factor."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from escalade.core import audit
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Invalid

from ..models import DirectoryAccount

NAME = "authenticator"


def device_of(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def passkeys_of(user) -> list[WebAuthnCredential]:
    """The user's passkeys, the last used first."""
    return list(
        WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by(
            "-last_used_at", "-created_at"
        )
    )


def has_second_factor(user) -> bool:
    """Whether the account gives a second factor after its password (either kind)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def is_local(user) -> bool:
    """A local account: a password here, no directory behind it."""
    return user.has_usable_password() and not DirectoryAccount.objects.filter(user=user).exists()


def must_have(user) -> bool:
    """Whether this account may not work without a second factor."""
    rule = getattr(settings, "ESCALADE_OTP", "optional")
    if rule == "optional" or not user.is_authenticated or not is_local(user):
        return False
    return rule == "all" or (rule == "admins" and user.is_superuser)


def pending_device(user) -> TOTPDevice:
    """The authenticator being set up (not confirmed yet): the same until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=NAME, confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The key as the authenticator apps take it when typed (base32)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (no script, no image request)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


@transaction.atomic
def confirm(user, code: str) -> TOTPDevice:
    """The code from the app confirms the authenticator being set up (an earlier one is
    replaced); Invalid (bad_code) otherwise."""
    device = pending_device(user)
    if not device.verify_token(str(code).strip().replace(" ", "")):
        raise Invalid(_wrong(), field="code", code=Code.BAD_CODE)
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(
        action=AuditAction.SECOND_FACTOR_ADDED, obj=user, actor=user, data={"kind": "totp"}
    )
    return device


@transaction.atomic
def remove(user, code: str) -> None:
    """Remove the authenticator, with a current code from it; Invalid otherwise (and
    refused while the account must have one)."""
    device = device_of(user)
    if device is None or not device.verify_token(str(code).strip().replace(" ", "")):
        raise Invalid(_wrong(), field="code", code=Code.BAD_CODE)
    if must_have(user) and not passkeys_of(user):
        raise Invalid(_required(), field="code", code=Code.FORBIDDEN)
    device.delete()
    audit.record(
        action=AuditAction.SECOND_FACTOR_REMOVED, obj=user, actor=user, data={"kind": "totp"}
    )


def verify(user, code: str) -> TOTPDevice | None:
    """The device whose current code this is (after a password), or None (the device
    slows repeated failures: django-otp's throttling)."""
    device = device_of(user)
    if device is not None and device.verify_token(str(code).strip().replace(" ", "")):
        return device
    return None


# Passkeys -------------------------------------------------------------------------


def relying_party(request) -> str:
    """The domain passkeys are bound to: ESCALADE_WEBAUTHN_RP_ID, or the host the browser
    sees (Django has checked it against ALLOWED_HOSTS)."""
    return settings.ESCALADE_WEBAUTHN_RP_ID or request.get_host().rsplit(":", 1)[0]


class PasskeyHelper(WebAuthnHelper):
    """django-otp-webauthn's ceremonies with Escalade's relying party: the configured
    origins and the page's own (a passkey answers for the origin the browser shows,
    which a page elsewhere cannot borrow)."""

    def get_allowed_origins(self) -> list[str]:
        """The configured origins and this page's."""
        own = f"{self.request.scheme}://{self.request.get_host()}"
        return [*settings.OTP_WEBAUTHN_ALLOWED_ORIGINS, own]


@transaction.atomic
def passkey_added(user, credential: WebAuthnCredential, name: str = "") -> None:
    """A passkey just registered: its name as its owner gave it, in the audit log."""
    name = " ".join(str(name).split())[:64]
    if name:
        credential.name = name
        credential.save(update_fields=["name"])
    audit.record(
        action=AuditAction.SECOND_FACTOR_ADDED,
        obj=user,
        actor=user,
        data={"kind": "passkey", "name": credential.name},
    )


@transaction.atomic
def remove_passkey(user, pk: int) -> None:
    """Remove one of one's passkeys (the session has given its second factor); refused
    when it is the last factor of an account that must keep one."""
    credential = WebAuthnCredential.objects.filter(user=user, pk=pk).first()
    if credential is None:
        raise Invalid(_("No such passkey."), field="passkey", code=Code.NOT_FOUND)
    others = len([c for c in passkeys_of(user) if c.pk != credential.pk])
    if must_have(user) and not others and device_of(user) is None:
        raise Invalid(_required(), field="passkey", code=Code.FORBIDDEN)
    credential.delete()
    audit.record(
        action=AuditAction.SECOND_FACTOR_REMOVED,
        obj=user,
        actor=user,
        data={"kind": "passkey", "name": credential.name},
    )


def _wrong() -> str:
    return _("This code is not the one the authenticator shows now.")


def _required() -> str:
    return _("Your account must keep a second factor.")
