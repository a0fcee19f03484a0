"""Helpers for text that comes from packs in both languages ({'en': ..., 'fr': ...})."""

from django.conf import settings
from django.utils import translation


def product_language() -> str:
    """'fr' or 'en': the product's default language, the one of stored texts (an incident
    the system opens, a reason kept), whoever reads them later."""
    return "fr" if settings.LANGUAGE_CODE.lower().startswith("fr") else "en"


def in_language(lang: str):
    """Write in a person's language ('fr' or 'en', as contacts and messages keep it):
    translation.override with the product's locale for it."""
    return translation.override("fr-ca" if (lang or "").startswith("fr") else "en")


def current_language() -> str:
    """'fr' or 'en': the pack-text key for the active language (fr-ca -> fr)."""
    lang = (translation.get_language() or "fr").lower()
    return "fr" if lang.startswith("fr") else "en"


def pick(labels, lang: str | None = None) -> str:
    """The text of `labels` in the active language, falling back to the other one."""
    if not labels:
        return ""
    if isinstance(labels, str):
        return labels
    lang = lang or current_language()
    return labels.get(lang) or labels.get("en") or labels.get("fr") or ""


def in_both(message, **params) -> dict[str, str]:
    """A translatable message rendered in both product languages, for stored texts
    (e.g. a classification reason, a summary the product writes: shown later in the
    reader's language). `message` may be a function that writes the text."""

    out = {}
    for key, lang in (("en", "en"), ("fr", "fr-ca")):
        with translation.override(lang):
            if callable(message):
                out[key] = str(message())
            else:
                out[key] = str(message) % params if params else str(message)
    return out


def colon() -> str:
    """A colon as the active language writes it: after a (non-breaking) space in French
    ("Garde : 555"), right after the word in English ("On call: 555")."""
    return "\u00a0:" if current_language() == "fr" else ":"
