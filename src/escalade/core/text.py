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
