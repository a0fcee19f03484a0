"""Text normalization shared by searches: lower case, accents removed, words."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)


def normalize(text: str) -> str:
    """Lower case, accents removed: 'Écran NOIR' -> 'ecran noir'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(query: str, limit: int | None = 8) -> list[str]:
    found = _WORD.findall(normalize(query))
    return found[:limit] if limit else found


def display_phone(e164: str) -> str:
    """A phone as people read it (514 934-1934 in North America, +33 5 59 ... elsewhere);
    E.164 is what the database keeps. An unparsable value is shown as it is."""
    if not e164:
        return ""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)
