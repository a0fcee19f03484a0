"""Level 1's diagnostic guides: one per symptom, from the pack or written on the
technicians' page; each change a new version (the calls solved by the old one keep it)."""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import audit
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Invalid, NotFound

from ..models import DiagnosticGuide, SymptomCategory

MAX_STEPS = 20


def _digest(steps: list[dict]) -> str:
    return hashlib.sha256(json.dumps(steps, sort_keys=True).encode()).hexdigest()


def clean_steps(steps: list[dict]) -> list[dict]:
    """The steps as stored ({"text": {"fr", "en"}}), or Invalid naming the step and the
    language missing: a guide is read to callers in both languages."""
    errors = []
    out = []
    if not steps:
        errors.append(("steps", _("A guide has at least one step."), Code.REQUIRED))
    if len(steps) > MAX_STEPS:
        errors.append(
            ("steps", _("A guide has at most %(n)s steps.") % {"n": MAX_STEPS}, Code.TOO_LONG)
        )
    for i, step in enumerate(steps[:MAX_STEPS]):
        text = (step or {}).get("text") or {}
        clean = {lang: " ".join(str(text.get(lang) or "").split())[:500] for lang in ("fr", "en")}
        for lang in ("fr", "en"):
            if not clean[lang]:
                errors.append(
                    (
                        f"steps.{i}.text.{lang}",
                        _("Step %(n)s needs its text in %(lang)s.")
                        % {"n": i + 1, "lang": _("French") if lang == "fr" else _("English")},
                        Code.REQUIRED,
                    )
                )
        out.append({"text": clean})
    if errors:
        raise Invalid(errors=errors)
    return out


def _new_version(symptom: SymptomCategory, steps: list[dict], actor=None) -> DiagnosticGuide:
    """The symptom's current guide if its steps are these, else a new version of it."""
    digest = _digest(steps)
    current = DiagnosticGuide.objects.filter(symptom=symptom, current=True).first()
    if current is not None and current.digest == digest:
        return current
    last = (
        DiagnosticGuide.objects.filter(symptom=symptom)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    DiagnosticGuide.objects.filter(symptom=symptom, current=True).update(current=False)
    return DiagnosticGuide.objects.create(
        institution=symptom.institution,
        symptom=symptom,
        version=(last or 0) + 1,
        steps=steps,
        digest=digest,
        current=True,
        created_by=actor,
    )


def from_pack(institution, guides: dict[str, list[dict]]) -> list[DiagnosticGuide]:
    """The pack's guides (symptom code -> steps): a new version where they changed; the
    guides of symptoms the pack no longer names stop being current."""
    symptoms = {s.code: s for s in SymptomCategory.objects.filter(institution=institution)}
    saved = [_new_version(symptoms[code], clean_steps(steps)) for code, steps in guides.items()]
    DiagnosticGuide.objects.filter(institution=institution, current=True).exclude(
        symptom__code__in=list(guides)
    ).update(current=False)
    return saved


def save_guide(actor, institution, symptom: str, steps: list[dict]) -> DiagnosticGuide:
    """A technician writes the guide of a symptom again: a new version (audited), unless
    nothing changed."""
    require(actor, perms.GUIDE_CHANGE, institution)
    found = SymptomCategory.objects.filter(institution=institution, code=symptom).first()
    if found is None:
        raise NotFound(_("No symptom '%(code)s'.") % {"code": symptom}, field="symptom")
    steps = clean_steps(steps)
    with transaction.atomic():
        before = DiagnosticGuide.objects.filter(symptom=found, current=True).first()
        guide = _new_version(found, steps, actor)
        if before is None or guide.pk != before.pk:
            audit.record(
                action=AuditAction.GUIDE_CHANGED,
                obj=guide,
                actor=actor,
                institution=institution,
                data={"symptom": symptom, "version": guide.version, "steps": len(steps)},
            )
    return guide


def solved_step(symptom: SymptomCategory, version: int | None, step: int | None):
    """The guide and step a call was solved at, checked against its symptom: (guide,
    step), or (None, None) when no step was given; Invalid on `guide_step` otherwise.
    `version`: the one the agent read (a new one may have come since), else the current."""
    if step is None:
        return None, None
    guides = DiagnosticGuide.objects.filter(symptom=symptom)
    guide = (
        guides.filter(version=version).first() if version else guides.filter(current=True).first()
    )
    if guide is None:
        raise Invalid(
            _("This symptom has no such diagnostic guide."),
            field="guide_step",
            code=Code.NOT_FOUND,
        )
    if not 1 <= step <= len(guide.steps):
        raise Invalid(
            _("The guide has steps 1 to %(n)s.") % {"n": len(guide.steps)},
            field="guide_step",
            code=Code.NOT_ONE_OF,
        )
    return guide, step
