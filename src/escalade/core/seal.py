"""Sealed content: files that hold personal health information are stored encrypted
(Fernet: AES-128-CBC with HMAC-SHA256, from `cryptography`) with keys from the
environment. `ESCALADE_SEAL_KEYS` lists Fernet keys, newest first: new content is
sealed with the first, any of them opens, and `escalade rotate_seal_keys` re-seals
everything with the first (then the old key can be dropped). In the embedded mode
without keys, one is derived from the secret key; production refuses to start without
`ESCALADE_SEAL_KEYS` (settings)."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SealBroken(Exception):
    """The content cannot be opened with any of the keys (a key was dropped too soon)."""


def _keys() -> MultiFernet:
    raw = [k.strip() for k in settings.ESCALADE_SEAL_KEYS if k.strip()]
    if not raw:
        digest = hashlib.sha256(b"escalade-seal:" + settings.SECRET_KEY.encode()).digest()
        raw = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(k.encode()) for k in raw])


def key_id() -> str:
    """A short name of the current key (its digest), kept with what it sealed."""
    first = (settings.ESCALADE_SEAL_KEYS or [""])[0].strip() or settings.SECRET_KEY
    return hashlib.sha256(first.encode()).hexdigest()[:12]


def seal(data: bytes) -> bytes:
    """Encrypt `data` with the current key."""
    return _keys().encrypt(data)


def open_sealed(token: bytes) -> bytes:
    """Decrypt what seal() made, with whichever key sealed it."""
    try:
        return _keys().decrypt(bytes(token))
    except InvalidToken as exc:
        raise SealBroken("no key opens this content") from exc


def reseal(token: bytes) -> bytes:
    """The same content sealed with the current key (key rotation)."""
    try:
        return _keys().rotate(bytes(token))
    except InvalidToken as exc:
        raise SealBroken("no key opens this content") from exc
