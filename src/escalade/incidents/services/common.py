"""The incidents' input, guards and pack data: what every write starts from."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.core.errors import Code, Conflict, Invalid, NotFound, not_one_of, required
from escalade.routing import rules as routing_rules
from escalade.routing import selectors as routing

from ..choices import Channel, Impact, Level, RequesterRole, Urgency
from ..errors import IncidentError
from ..models import (
    Incident,
    IncidentPolicy,
    SymptomCategory,
)


@dataclass
class IncidentInput:
    """What intake needs (from the phone form, the API or a command)."""

    channel: str
    requester_name: str
    requester_role: str
    requester_site: str
    symptom: str
    summary: str
    requester_phone: str = ""
    # A summary the product writes: {"fr", "en"} (core.i18n.in_both), shown in the
    # reader's language; `summary` is then the product language's.
    summary_i18n: dict | None = None
    requester_phone_ext: str = ""
    session_ref: str = ""
    description: str = ""
    resolved_on_first_call: bool = False
    impact: str | None = None
    urgency: str | None = None
    # The routing question (seed 003), when the institution has a chart: the requester
    # kind comes from the requester's role.
    need: str = ""
    subject: str = ""
    location: str = ""
    # Logged while a live telehealth session is in trouble (seed 000): major.
    during_live_session: bool = False
    requester_email: str = ""
    # Where it starts: level 1, or the level a mailbox's rule names.
    level: int = 1
    # Logged without a symptom the pack's words name (an e-mail): level 1 chooses it.
    to_classify: bool = False
    follows: Incident | None = None
    # The number of a major incident in progress this call is about (one key on the call
    # form): logged as one of its attached calls (services/links.py).
    attach_to: str = ""
    # The language the requester speaks, fr or en (blank: the institution's).
    requester_language: str = ""
    # Solved on the call at this step of the symptom's diagnostic guide (that version):
    # resolved on the first call, the step recorded.
    guide_step: int | None = None
    guide_version: int | None = None

    @classmethod
    def from_fields(cls, data: dict) -> IncidentInput:
        """From a form's cleaned data (the phone form, the admin): the fields of the same names."""
        values = {f.name: data[f.name] for f in dataclasses.fields(cls) if f.name in data}
        if isinstance(values.get("symptom"), SymptomCategory):
            values["symptom"] = values["symptom"].code
        for name in ("impact", "urgency"):  # a blank choice: from the symptom
            if name in values and not values[name]:
                values[name] = None
        return cls(**values)


ELSEWHERE = gettext_lazy("This incident belongs to another institution.")


def parse_phone(raw: str, ext: str = "", region: str = "CA") -> tuple[str, str]:
    """Return (E.164, extension) or raise Invalid on the `requester.phone` field. A number
    without its country code is read in `region`, the institution's country."""
    raw = (raw or "").strip()
    if not raw:
        return "", (ext or "").strip()
    normalized = raw.lower().replace("poste", "ext").replace("p.", "ext")
    try:
        number = phonenumbers.parse(normalized, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        if region == "CA":
            message = _(
                "'%(phone)s' is not a valid phone number (e.g. 514-934-1934, ext. 36000)."
            ) % {"phone": raw}
        else:  # an example of the institution's country (05 59 92 48 48 in Pau)
            example = phonenumbers.example_number_for_type(
                region, phonenumbers.PhoneNumberType.FIXED_LINE
            )
            message = _("'%(phone)s' is not a valid phone number (e.g. %(example)s).") % {
                "phone": raw,
                "example": phonenumbers.format_number(
                    example, phonenumbers.PhoneNumberFormat.NATIONAL
                )
                if example
                else "+1 514 934 1934",
            }
        raise Invalid(message, field="requester.phone", code=IncidentError.INVALID_PHONE)
    extension = (ext or number.extension or "").strip()
    if extension and not extension.isdigit():
        raise Invalid(
            _("An extension has digits only."),
            field="requester.phone_ext",
            code=IncidentError.INVALID_PHONE,
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), extension


# Pack data read on every intake, kept per process and keyed by the pack's digest: a
# newly loaded pack changes the digest, so no process ever uses stale rules.


_PACK_CACHE: dict[tuple[int, str], tuple[IncidentPolicy, dict[str, SymptomCategory]]] = {}


def _pack_data(institution) -> tuple[IncidentPolicy, dict[str, SymptomCategory]]:
    key = (institution.pk, institution.pack_digest)
    cached = _PACK_CACHE.get(key) if institution.pack_digest else None
    if cached is None:
        policy = IncidentPolicy.objects.filter(institution=institution).first()
        if policy is None:
            raise Conflict(
                _("Institution '%(code)s' has no incident rules: load its pack first.")
                % {"code": institution.code},
                code=IncidentError.NO_RULES,
            )
        symptoms = {
            c.code: c for c in SymptomCategory.objects.filter(institution=institution, active=True)
        }
        cached = (policy, symptoms)
        if institution.pack_digest:
            if len(_PACK_CACHE) > 64:
                _PACK_CACHE.clear()
            _PACK_CACHE[key] = cached
    return cached


def policy_of(institution) -> IncidentPolicy:
    """The institution's incident rules (its pack's policy); Conflict (no_incident_rules) without
    one."""
    return _pack_data(institution)[0]


def symptoms_of(institution) -> dict[str, SymptomCategory]:
    """The institution's active symptom categories by code (its pack's)."""
    return _pack_data(institution)[1]


def _validate(data: IncidentInput, institution) -> tuple[SymptomCategory, list]:
    errors: list[tuple[str, object]] = []

    def choice(field, value, choices):
        errors.extend(not_one_of(field, value, choices))

    choice("channel", data.channel, Channel)
    choice("requester.role", data.requester_role, RequesterRole)
    if data.impact is not None:
        choice("impact", data.impact, Impact)
    if data.urgency is not None:
        choice("urgency", data.urgency, Urgency)
    choice("level", data.level, Level)
    if data.requester_email:
        try:
            validate_email(data.requester_email)
        except ValidationError:
            errors.append(
                (
                    "requester.email",
                    _("'%(value)s' is not an e-mail address.") % {"value": data.requester_email},
                    Code.INVALID,
                )
            )
    for field, value in (
        ("requester.name", data.requester_name),
        ("requester.site", data.requester_site),
        ("summary", data.summary),
    ):
        if not (value or "").strip():
            errors.append(required(field, _("This field is required.")))
    symptoms = _pack_data(institution)[1]
    symptom = symptoms.get(data.symptom)
    if symptom is None:
        errors.append(
            (
                "symptom",
                _("Unknown symptom '%(code)s': use one of %(valid)s.")
                % {"code": data.symptom, "valid": ", ".join(symptoms)},
                IncidentError.UNKNOWN_SYMPTOM,
            )
        )
    try:
        phone = parse_phone(
            data.requester_phone, data.requester_phone_ext, region=institution.region
        )
    except Invalid as exc:
        errors.extend(exc.errors)
        phone = ("", "")
    if errors:
        raise Invalid(errors=errors)
    return symptom, phone


def route_snapshot(institution, data: IncidentInput, at=None) -> dict | None:
    """The chart's plan for the call, as JSON to keep on the incident (None without a
    subject). Raises Invalid on bad routing codes, with fields under 'route.'."""
    if not data.subject:
        return None

    requester = "patient" if data.requester_role == RequesterRole.PATIENT else "staff"
    question = routing_rules.Question(requester, data.need, data.subject, data.location)
    try:
        plan = routing.plan(institution, question, at)
    except (Invalid, NotFound) as exc:
        raise Invalid(
            errors=[
                (f"route.{e['field']}" if e["field"] else "route", e["message"], e["code"])
                for e in exc.as_errors()
            ]
        ) from exc
    return json.loads(json.dumps(plan, cls=DjangoJSONEncoder))


def _locked(incident: Incident) -> Incident:
    return (
        Incident.objects.select_for_update()
        .select_related("institution", "symptom")
        .get(pk=incident.pk)
    )


def _save(incident: Incident, fields: list[str]) -> None:
    incident.updated_at = timezone.now()
    incident.save(update_fields=sorted(set(fields) | {"updated_at"}))
