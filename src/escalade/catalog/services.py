"""Writes of the catalogue: organisations' designated contacts, their confirmation, and
the request to confirm contacts that went stale (seed 002)."""

from __future__ import annotations

import datetime as dt

import phonenumbers
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts.rules import CONTACT_CHANGE
from escalade.accounts.services import require
from escalade.core import audit, packs
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Invalid, not_one_of
from escalade.core.i18n import in_language
from escalade.notifications import services as notify

from . import rules
from .choices import ContactRole
from .errors import CatalogError
from .models import Contact, ContactCheck, Organisation

CONFIRM_SALT = "escalade.contact-confirm"
CONFIRM_MAX_AGE = 90 * 24 * 3600


def confirm_months(institution) -> int:
    """How often (months) the institution asks its contacts to confirm their details (pack
    setting)."""
    return packs.setting_of(institution, "contacts").confirm_months


def normalise_phone(value: str, field: str = "phone") -> str:
    """The number in E.164 (+15149341934), "" for none; Invalid (invalid_phone) on `field`
    otherwise."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "CA")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise Invalid(
            _("'%(value)s' is not a valid phone number.") % {"value": value},
            field=field,
            code=CatalogError.INVALID_PHONE,
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _clean(data: dict) -> dict:
    errors = []
    values = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors.append(("name", _("This field is required."), Code.REQUIRED))
    values["name"] = name[:200]
    role = data.get("role") or ""
    errors += not_one_of("role", role, ContactRole)
    values["role"] = role
    email = (data.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(("email", _("Enter a valid e-mail address."), CatalogError.INVALID_EMAIL))
    values["email"] = email
    try:
        values["phone"] = normalise_phone((data.get("phone") or "").strip())
    except Invalid as exc:
        errors.extend(exc.errors)
    values["extension"] = (data.get("extension") or "").strip()[:10]
    language = data.get("language") or "fr"
    errors += not_one_of("language", language, ["fr", "en"])
    values["language"] = language
    if not email and not (data.get("phone") or "").strip():
        errors.append(
            (
                "email",
                _("Give an e-mail address or a phone number."),
                CatalogError.NO_WAY_TO_REACH,
            )
        )
    if errors:
        raise Invalid(errors=errors)
    return values


def add_contact(actor, organisation: Organisation, data: dict) -> Contact:
    """Add a contact to the organisation (audited); Invalid with every bad field at once."""
    require(actor, CONTACT_CHANGE, organisation.institution_id)
    values = _clean(data)
    with transaction.atomic():
        contact = Contact.objects.create(organisation=organisation, **values)
        audit.record(
            action=AuditAction.CREATED,
            obj=contact,
            actor=actor,
            institution=organisation.institution,
            data={"organisation": organisation.code, **values},
        )
    return contact


def update_contact(actor, contact: Contact, data: dict) -> Contact:
    """Change a contact; saving it confirms it (the desk has just checked it)."""
    require(actor, CONTACT_CHANGE, contact.organisation.institution_id)
    current = {
        f: getattr(contact, f) for f in ("name", "role", "email", "phone", "extension", "language")
    }
    values = _clean({**current, **{k: v for k, v in data.items() if v is not None}})
    active = data.get("active")
    with transaction.atomic():
        changes = audit.diff(contact, **values, confirmed_at=timezone.now())
        if active is not None:
            changes.update(audit.diff(contact, active=bool(active)))
        contact.save()
        audit.record(
            action=AuditAction.CONTACT_CHANGED,
            obj=contact,
            actor=actor,
            institution=contact.organisation.institution,
            changes=changes,
        )
    return contact


def confirm_contact(actor, contact: Contact, *, by_link: bool = False) -> Contact:
    """The contact is still right: by the desk (a permitted role) or by the contact
    following the signed link of the confirmation e-mail (by_link, no sign-in)."""
    if not by_link:
        require(actor, CONTACT_CHANGE, contact.organisation.institution_id)
    with transaction.atomic():
        before = contact.confirmed_at
        contact.confirmed_at = timezone.now()
        contact.save(update_fields=["confirmed_at"])
        audit.record(
            action=AuditAction.CONFIRMED,
            obj=contact,
            actor=actor,
            institution=contact.organisation.institution,
            changes={"confirmed_at": (before, contact.confirmed_at)},
            data={"by_link": by_link},
        )
    return contact


def confirm_token(contact: Contact) -> str:
    """The signed token of the link a contact follows to confirm their details."""
    return signing.dumps(contact.pk, salt=CONFIRM_SALT)


def contact_from_token(token: str) -> Contact | None:
    """The contact a confirmation link names, or None when the token is forged or too old."""
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    return Contact.objects.filter(pk=pk, active=True).select_related("organisation").first()


ASK_SUBJECT = gettext_lazy("Please confirm your designated contacts (%(organisation)s)")
ASK_BODY = gettext_lazy(
    "Hello,\n\nThe service desk has not confirmed these designated contacts of %(organisation)s "
    "for %(months)s months:\n\n%(contacts)s\n\nKeep your contacts current or you will miss the "
    "notices of planned and unplanned interruptions. If a contact is still right, open its "
    "link; otherwise tell the service desk who replaces it.\n"
)


def ask_stale_contacts(now: dt.datetime | None = None, base_url: str = "") -> int:
    """The scheduled job: for each organisation with stale contacts, e-mail its active
    contacts (each in their language) the list to confirm; each stale contact is asked
    once when it turns stale and again every 30 days (ContactCheck rows are unique)."""

    now = now or timezone.now()
    asked = 0
    for org in Organisation.objects.filter(active=True).select_related("institution"):
        months = confirm_months(org.institution)
        contacts = list(org.contacts.filter(active=True))
        due = [
            (c, key)
            for c in contacts
            if (key := rules.check_key(c.confirmed_at, now, months)) is not None
        ]
        if not due:
            continue
        with transaction.atomic():
            fresh = []
            for contact, key in due:
                try:
                    with transaction.atomic():
                        ContactCheck.objects.create(contact=contact, key=key)
                    fresh.append(contact)
                except IntegrityError:
                    continue  # asked already
            if not fresh:
                continue
            for reader in contacts:
                if not reader.email:
                    continue
                with in_language(reader.language):
                    lines = "\n".join(
                        f"- {c.name} ({c.get_role_display()}): "
                        f"{base_url}/contacts/confirm/{confirm_token(c)}/"
                        for c in fresh
                    )
                    params = {"organisation": str(org), "months": months, "contacts": lines}
                    notify.send_mail(
                        [reader.email], str(ASK_SUBJECT) % params, str(ASK_BODY) % params
                    )
            asked += len(fresh)
    return asked
