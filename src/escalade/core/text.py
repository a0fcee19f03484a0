"""Text normalization shared by searches: lower case, accents removed, words."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

_WORD = re.compile(r"\w+", re.UNICODE)


def normalize(text: str) -> str:
    """Lower case, accents removed: 'Écran NOIR' -> 'ecran noir'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(query: str, limit: int | None = 8) -> list[str]:
    found = _WORD.findall(normalize(query))
    return found[:limit] if limit else found


TOLL_FREE = {"800", "833", "844", "855", "866", "877", "888"}


def phone_e164(value: str, region: str | None = None) -> tuple[str, str]:
    """(E.164, extension) of a phone written as people write it (514 251-4000,
    +33153622400, read in `region`); ("", "") when it is not a number."""
    try:
        number = phonenumbers.parse(value, (region or "CA").upper())
    except phonenumbers.NumberParseException:
        return "", ""
    if not phonenumbers.is_possible_number(number):
        return "", ""
    return (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        number.extension or "",
    )


def phone_uri(e164: str, extension: str = "") -> str:
    """The tel: address (RFC 3966) of an E.164 number and its extension (digits only)."""
    return f"tel:{e164}" + (f";ext={extension}" if extension.isdigit() else "")


def display_phone(e164: str, region: str | None = None) -> str:
    """A phone as the people of `region` (the institution's country) read it: Quebec and
    Ontario write 514 934-1934 (toll-free 1 866 250-1554), France 05 59 92 48 48; a number
    of another country is shown international (+33 5 59 ...). E.164 is what the database
    keeps. An unparsable value is shown as it is."""
    if not e164:
        return ""

    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    digits = str(number.national_number)
    home = phonenumbers.country_code_for_region(region.upper()) if region else None
    if number.country_code == 1 and len(digits) == 10 and home in (None, 1):
        area, local = digits[:3], f"{digits[3:6]}-{digits[6:]}"
        return f"1 {area} {local}" if area in TOLL_FREE else f"{area} {local}"
    if home and number.country_code == home:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
