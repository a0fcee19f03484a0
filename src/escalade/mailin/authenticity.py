"""Whether a message comes from the domain its From address names. No database, no web:
the caller gives the message's bytes, the relays it trusts and where to ask DNS.

Two ways to know, tried in this order:

1. **A trusted relay's verdict.** The hospital's mail server checks SPF, DKIM and DMARC
   when the message arrives from the Internet and writes an `Authentication-Results`
   header (RFC 8601) under its own name (the authserv-id). Only the topmost such
   header, and only from a relay the configuration names
   (`ESCALADE_MAIL_TRUSTED_RELAYS`), is believed: anyone can write one further down.
   `dmarc=pass` is a pass; `dmarc=fail`, or `spf=fail` with no aligned DKIM pass, a fail.
2. **DKIM here** (RFC 6376, with dkimpy): a signature that verifies, from a domain
   aligned with the From address (DMARC's relaxed alignment, RFC 7489: the same domain,
   or one a parent of the other), is a pass. The signer's public key comes from DNS
   (`ESCALADE_MAIL_DNS`, else the system's resolver) or from a key the pack pins for a
   known sender.

SPF needs the address of the server that handed the message over, which only the
hospital's edge server sees: it is taken from the relay's verdict, never guessed here.
A message with neither is "none": not authenticated."""

from __future__ import annotations

import email
import email.policy
import logging
from dataclasses import dataclass
from email.utils import getaddresses

import authres
import dkim
import dns.exception
import dns.resolver

log = logging.getLogger("escalade.mailin")

PASS, FAIL, NONE = "pass", "fail", "none"
MAX_SIGNATURES = 5  # a message carrying more is not worth the DNS lookups


@dataclass(frozen=True)
class Verdict:
    result: str  # pass, fail, none
    method: str  # relay, dkim, "" (nothing said)
    domain: str  # the From domain
    detail: str  # what was found, for the record (no text of the message)

    @property
    def passed(self) -> bool:
        return self.result == PASS

    @property
    def failed(self) -> bool:
        return self.result == FAIL


def aligned(signer: str, author: str) -> bool:
    """DMARC's relaxed alignment without the public-suffix list: the same domain, or one
    a parent of the other. (Sister domains under one organisation do not align: stricter,
    never looser.) A one-label signer (a top-level domain) never aligns."""
    signer, author = signer.lower().rstrip("."), author.lower().rstrip(".")
    if not signer or not author or "." not in signer:
        return False
    return signer == author or author.endswith("." + signer) or signer.endswith("." + author)


def author_domain(msg) -> str:
    """The domain of the message's From address ("" when it has none)."""
    addresses = getaddresses([str(msg.get("From", ""))])
    address = addresses[0][1] if addresses else ""
    return address.rsplit("@", 1)[-1].lower() if "@" in address else ""


def resolver(where: str = "", timeout: float = 3.0) -> dns.resolver.Resolver:
    """A resolver asking `where` ("host" or "host:port"), else the system's servers."""
    if not where:
        r = dns.resolver.Resolver()
    else:
        host, _, port = where.rpartition(":") if where.count(":") == 1 else (where, "", "")
        r = dns.resolver.Resolver(configure=False)
        r.nameservers = [host]
        r.port = int(port or 53)
    r.timeout = r.lifetime = timeout
    return r


def txt_lookup(pinned: dict[str, str], where: str = ""):
    """A dkimpy `dnsfunc`: the pack's pinned record for that name, else DNS."""
    pins = {k.lower().rstrip("."): v for k, v in (pinned or {}).items()}
    ask = resolver(where)

    def lookup(name: bytes, timeout: float = 5) -> bytes | None:
        key = name.decode("ascii", "replace").lower().rstrip(".")
        if key in pins:
            return pins[key].encode()
        try:
            answer = ask.resolve(key, "TXT")
        except (dns.exception.DNSException, OSError):
            return None
        for record in answer:
            return b"".join(record.strings)
        return None

    return lookup


def _relay_verdict(msg, domain: str, relays: frozenset[str]) -> Verdict | None:
    values = msg.get_all("Authentication-Results") or []
    if not values or not relays:
        return None
    try:
        header = authres.AuthenticationResultsHeader.parse_value(str(values[0]))
    except Exception:  # noqa: BLE001 - a header we cannot read is no verdict
        return None
    server = (header.authserv_id or "").lower()
    if server not in relays:
        return None
    results = {}
    dkim_aligned = False
    for result in header.results:
        method = (result.method or "").lower()
        value = (result.result or "").lower()
        results.setdefault(method, value)
        if method == "dkim" and value == PASS:
            signer = getattr(result, "header_d", "") or ""
            dkim_aligned = dkim_aligned or aligned(signer, domain)
    dmarc, spf = results.get("dmarc"), results.get("spf")
    detail = f"{server}: " + " ".join(f"{k}={v}" for k, v in results.items())
    if dmarc == PASS or dkim_aligned:
        return Verdict(PASS, "relay", domain, detail[:300])
    if dmarc == FAIL or spf in (FAIL, "softfail") or results.get("dkim") == FAIL:
        return Verdict(FAIL, "relay", domain, detail[:300])
    return Verdict(NONE, "relay", domain, detail[:300])


def _signer(value: str) -> str:
    """The d= of a DKIM-Signature header's value."""
    try:
        tags = dkim.util.parse_tag_value("".join(str(value).split()).encode())
    except Exception:  # noqa: BLE001 - an unreadable signature names no one
        return ""
    return tags.get(b"d", b"").decode("ascii", "replace").strip()


def verify(
    raw: bytes,
    *,
    trusted_relays=(),
    dns_server: str = "",
    pinned_keys: dict[str, str] | None = None,
) -> Verdict:
    """What can be said of the message's origin (see the module's text)."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    domain = author_domain(msg)
    if not domain:
        return Verdict(FAIL, "", "", "no From domain")
    relays = frozenset(r.strip().lower() for r in trusted_relays if r.strip())
    relay = _relay_verdict(msg, domain, relays)
    if relay is not None and relay.result != NONE:
        return relay
    signatures = msg.get_all("DKIM-Signature") or []
    if not signatures:
        return relay or Verdict(NONE, "", domain, "no DKIM signature")
    lookup = txt_lookup(pinned_keys or {}, dns_server)
    seen = []
    checker = dkim.DKIM(raw, logger=log, minkey=1024, timeout=3)
    for idx, value in enumerate(signatures[:MAX_SIGNATURES]):
        signer = _signer(value)
        try:
            ok = checker.verify(idx=idx, dnsfunc=lookup)
        except dkim.DKIMException as exc:
            seen.append(f"d={signer or '?'}: {exc}"[:120])
            continue
        if ok and aligned(signer, domain):
            return Verdict(PASS, "dkim", domain, f"dkim=pass d={signer}")
        seen.append(f"d={signer}: " + ("not aligned" if ok else "signature does not verify"))
    return Verdict(FAIL, "dkim", domain, "; ".join(seen)[:300] or "no valid DKIM signature")
