"""What a message is, read from its bytes alone (no database, no web): who sent it, its
text, its attachments, whether a machine wrote it (RFC 3834), which incident it answers,
which of the mailbox's rules takes it. Pure functions over the message and pack data."""

from __future__ import annotations

import email
import email.policy
import fnmatch
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from email import errors as email_errors
from email.headerregistry import Address
from email.utils import getaddresses

import html2text
from mailparser_reply import EmailReplyParser


class Malformed(ValueError):
    """The message cannot be read as an e-mail (kept in "rejected", nothing written)."""

    code = "malformed"


# Defects that mean the structure is broken, not just untidy.
FATAL_DEFECTS = (
    email_errors.NoBoundaryInMultipartDefect,
    email_errors.StartBoundaryNotFoundDefect,
    email_errors.MultipartInvariantViolationDefect,
)

# Files no one needs to send a service desk and that carry malware.
REFUSED_EXTENSIONS = frozenset(
    "ade adp app bat chm cmd com cpl dll exe hta inf ins isp jar js jse lib lnk mde msc msi "
    "msp mst pif ps1 reg scr sct shb shs sys vb vbe vbs vxd wsc wsf wsh docm xlsm pptm iso "
    "img".split()
)
REFUSED_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-dosexec",
        "application/java-archive",
        "application/x-sh",
        "application/hta",
        "application/javascript",
    }
)


@dataclass
class Part:
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Parsed:
    message_id: str
    sender: str
    sender_name: str
    to: list[str]
    subject: str
    text: str  # the new text: quoted replies and signature trimmed
    full_text: str  # the whole text part (or the HTML as text)
    in_reply_to: str
    references: list[str]
    language_header: str
    attachments: list[Part] = field(default_factory=list)
    automatic: str = ""  # why a machine wrote it, "" for a person
    headers: dict[str, str] = field(default_factory=dict)


def message_key(raw: bytes, message_id: str) -> str:
    """The message's key: its Message-ID, or a digest of its bytes when it has none."""
    return message_id or f"<sha256.{hashlib.sha256(raw).hexdigest()}@escalade.invalid>"


def _ids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


def parse(raw: bytes) -> Parsed:
    """Read a message; raise Malformed when it has no sender or a broken structure."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # noqa: BLE001 - the parser's own failures are the message's
        raise Malformed(f"unreadable: {type(exc).__name__}") from exc
    defects = [d for part in msg.walk() for d in part.defects]
    fatal = [d for d in defects if isinstance(d, FATAL_DEFECTS)]
    if fatal:
        raise Malformed(f"broken structure: {type(fatal[0]).__name__}")
    try:
        senders = getaddresses([str(msg.get("From", ""))])
    except Exception:  # noqa: BLE001
        senders = []
    name, address = senders[0] if senders else ("", "")
    address = address.strip().lower()
    if not address or "@" not in address:
        raise Malformed("no sender address")
    try:
        Address(addr_spec=address)
    except (ValueError, IndexError, email_errors.HeaderParseError) as exc:
        raise Malformed("no valid sender address") from exc
    # the raw values (not decoded: parsing every header costs more than the rest)
    headers = {_text(k.lower()): _text(" ".join(str(v).split())) for k, v in msg.raw_items()}
    subject = _text(" ".join(str(msg.get("Subject", "")).split()))[:300]
    full = _text(_body_text(msg))
    name = _text(name)
    attachments = []
    for part in msg.iter_attachments():
        try:
            data = part.get_payload(decode=True) or b""
        except Exception:  # noqa: BLE001
            data = b""
        filename = part.get_filename() or "attachment"
        attachments.append(Part(_safe_name(filename), part.get_content_type(), data))
    message_id = (_ids(str(msg.get("Message-ID", ""))) or [""])[0]
    return Parsed(
        message_id=message_id,
        sender=address,
        sender_name=" ".join(name.split())[:200],
        to=[
            a.lower() for _n, a in getaddresses(msg.get_all("To", []) + msg.get_all("Cc", [])) if a
        ],
        subject=subject,
        text=trim_reply(full),
        full_text=full,
        in_reply_to=(_ids(str(msg.get("In-Reply-To", ""))) or [""])[0],
        references=_ids(str(msg.get("References", ""))),
        language_header=str(msg.get("Content-Language", "")).strip().lower(),
        attachments=attachments,
        automatic=automatic(headers, address, msg.get_content_type()),
        headers=headers,
    )


def _text(value: str) -> str:
    """A text as it can be stored: a NUL character (which no database text column takes)
    becomes the replacement character, so such a message is taken, not retried forever."""
    return value.replace("\x00", "\ufffd")


def _body_text(msg) -> str:
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = body.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    if body.get_content_type() == "text/html":
        return html_to_text(content)
    return content.replace("\r\n", "\n").strip()


def html_to_text(html: str) -> str:
    """An HTML-only message as plain text (links kept, images dropped)."""
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_images = True
    converter.ignore_emphasis = True
    return converter.handle(html).strip()


_PARSER = EmailReplyParser(languages=["fr", "en"])
_SIGNATURE = re.compile(r"^-- ?$", re.MULTILINE)


def trim_reply(text: str) -> str:
    """The new part of a message: the quoted reply ("Le ... a écrit :", "On ... wrote:",
    "> ...") and the signature after "-- " taken off."""
    if not text.strip():
        return ""
    try:
        new = _PARSER.parse_reply(text=text) or text
    except Exception:  # noqa: BLE001 - the trimming is a courtesy: keep the whole text
        new = text
    new = _SIGNATURE.split(new, maxsplit=1)[0]
    lines = [ln for ln in new.splitlines() if not ln.startswith(">")]
    return "\n".join(lines).strip() or text.strip()


def _safe_name(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".")
    name = "".join(c for c in name if c.isprintable())
    return name[:200] or "attachment"


# -- machines writing (RFC 3834), bounces, lists ------------------------------------

_AUTO_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.I)


def automatic(headers: dict[str, str], sender: str, content_type: str = "") -> str:
    """Why a message was written by a machine ("" for a person): such a message never
    opens an incident and never gets an answer, so that no two robots talk forever."""
    value = headers.get("auto-submitted", "").strip().lower()
    if value and value != "no":
        return "auto-submitted"
    if content_type == "multipart/report" or "report-type" in headers.get("content-type", ""):
        return "bounce"
    if headers.get("return-path", "").strip() == "<>":
        return "bounce"
    if _AUTO_SENDERS.match(sender):
        return "bounce"
    if any(k in headers for k in ("x-autoreply", "x-autorespond", "x-auto-response-suppress")):
        if "x-auto-response-suppress" not in headers or "x-autoreply" in headers:
            return "auto-reply"
    if headers.get("precedence", "").strip().lower() in ("bulk", "junk", "list", "auto_reply"):
        return "bulk"
    if "list-id" in headers or "list-unsubscribe" in headers:
        return "mailing-list"
    return ""


# -- threading ---------------------------------------------------------------------


def number_in(subject: str, prefix: str) -> str:
    """The incident number in a subject ("Re: [CCT-2026-000123] ..."), or ""."""
    match = re.search(rf"\b{re.escape(prefix)}-\d{{4}}-\d{{6}}\b", subject or "", re.I)
    return match.group(0).upper() if match else ""


def thread_ids(parsed: Parsed) -> list[str]:
    """The Message-IDs the message answers, nearest first."""
    ids = [parsed.in_reply_to] if parsed.in_reply_to else []
    ids += [r for r in reversed(parsed.references) if r not in ids]
    return ids


# -- language ----------------------------------------------------------------------

_FR = set(
    "le la les des une un est pas pour que qui dans avec sur bonjour merci ne plus je nous "
    "vous au aux du ce cette mais ou donc être avoir fonctionne problème caméra écran".split()
)
_EN = set(
    "the and is not for that with on hello thanks thank please i we you it this but or "
    "does work working problem camera screen".split()
)


def language(header: str, text: str, known: str = "") -> str:
    """The language to answer in: the message's Content-Language, else the one of the
    person we know, else the words of the message; "" when nothing tells."""
    if header.startswith("fr"):
        return "fr"
    if header.startswith("en"):
        return "en"
    if known:
        return "fr" if known.startswith("fr") else "en"
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿœ]+", text.lower())
    fr = sum(w in _FR for w in words)
    en = sum(w in _EN for w in words)
    if fr == en:
        return ""
    return "fr" if fr > en else "en"


# -- limits ------------------------------------------------------------------------


def refused_attachment(part: Part, max_bytes: int, extra: frozenset = frozenset()) -> str:
    """Why an attachment is refused ("" when it is accepted): too large, or a type that
    runs code."""
    if part.size > max_bytes:
        return "too_large"
    extension = part.filename.rsplit(".", 1)[-1].lower() if "." in part.filename else ""
    if extension in REFUSED_EXTENSIONS | extra or part.content_type in REFUSED_TYPES:
        return "dangerous_type"
    return ""


# -- the mailbox's rules -------------------------------------------------------------


@dataclass
class Rule:
    code: str
    action: str  # intake, drop, handler
    sender: str = ""  # a pattern of addresses (fnmatch: *@sante.gouv.qc.ca)
    subject: str = ""  # a regular expression
    level: int = 1
    handler: str = ""
    options: dict = field(default_factory=dict)
    reason: dict = field(default_factory=dict)
    # the message must come from its From domain (mailin/authenticity.py), else it is held
    authenticated: bool = False
    dkim_keys: dict = field(default_factory=dict)  # DNS name -> TXT record, pinned by the pack


def matching_rule(rules: list[dict], sender: str, subject: str) -> Rule | None:
    """The first of the mailbox's rules that takes the message, or None (intake)."""
    for spec in rules:
        rule = Rule(**spec)
        if rule.sender and not fnmatch.fnmatchcase(sender.lower(), rule.sender.lower()):
            continue
        if rule.subject and not re.search(rule.subject, subject or "", re.I):
            continue
        if not rule.sender and not rule.subject:
            continue
        return rule
    return None


# -- classification by the pack's words ----------------------------------------------


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def symptom_for(text: str, keywords: dict[str, dict[str, list[str]]]) -> str:
    """The symptom whose pack words occur in `text` (accents and case ignored; the most
    words wins, the pack's order breaks ties), or "" when none does."""
    folded = f" {_fold(text)} "
    best, best_hits = "", 0
    for code, words in keywords.items():
        hits = 0
        for word in (w for lang in words.values() for w in lang):
            if re.search(rf"(?<!\w){re.escape(_fold(word))}(?!\w)", folded):
                hits += 1
        if hits > best_hits:
            best, best_hits = code, hits
    return best
