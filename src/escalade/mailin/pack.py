"""mailboxes.yaml: the institution's mailboxes, how mail reaches them, and their rules."""

from __future__ import annotations

import re
from typing import Literal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from escalade.accounts.services import system_user
from escalade.core import packs
from escalade.core.packs import Labels
from escalade.incidents.choices import RequesterRole

from . import handlers
from .choices import OnClosed, Security
from .models import Mailbox

CODE = r"^[a-z][a-z0-9_-]{1,39}$"


class ImapSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    host: str = Field(min_length=1)
    port: int = Field(993, ge=1, le=65535)
    security: Literal[tuple(Security.values)] = Security.SSL
    user: str = Field(min_length=1)
    password_env: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,99}$")
    folder: str = "INBOX"
    processed: str = "processed"
    rejected: str = "rejected"


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=CODE)
    sender: str = ""
    subject: str = ""
    action: Literal["intake", "drop", "handler"]
    level: int = Field(1, ge=1, le=3)
    handler: str = ""
    options: dict[str, str] = Field({}, description="what the handler needs (a data source...)")
    reason: Labels | None = None
    authenticated: bool = Field(
        False,
        description="the message must be signed by its From domain (DKIM) or vouched for by "
        "a trusted relay; otherwise it is held and never acted on",
    )
    dkim_keys: dict[str, str] = Field(
        {},
        description="pinned DKIM keys of the sender: {selector._domainkey.domain: TXT record}",
    )

    @model_validator(mode="after")
    def _complete(self):
        if not self.sender and not self.subject:
            raise ValueError("a rule needs a sender pattern, a subject pattern or both")
        if self.subject:
            try:
                re.compile(self.subject)
            except re.error as exc:
                raise ValueError(f"subject is not a regular expression: {exc}") from exc
        if self.action == "handler" and not self.handler:
            raise ValueError("a handler rule names its handler")
        if self.action == "drop" and self.reason is None:
            raise ValueError("a drop rule says why (reason)")
        return self


class MailboxSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=CODE)
    label: Labels
    address: str
    imap: ImapSpec | None = None
    gateway: bool = True
    max_bytes: int = Field(10_000_000, ge=10_000, le=100_000_000)
    acknowledge: bool = True
    on_closed: Literal[tuple(OnClosed.values)] = OnClosed.REOPEN
    requester_role: Literal[tuple(RequesterRole.values)] = RequesterRole.STAFF
    site: str = Field(min_length=1, max_length=200)
    unclassified_symptom: str
    rules: list[RuleSpec] = []

    @field_validator("address")
    @classmethod
    def _address(cls, value):
        try:
            validate_email(value)
        except ValidationError as exc:
            raise ValueError(f"'{value}' is not an e-mail address") from exc
        return value

    @field_validator("rules")
    @classmethod
    def _unique(cls, value):
        packs.once_each((r.code for r in value), "rule code")
        return value


class MailboxesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mailboxes: list[MailboxSpec] = Field(min_length=1)

    @field_validator("mailboxes")
    @classmethod
    def _unique(cls, value):
        for attr in ("code", "address"):
            packs.once_each((getattr(m, attr).lower() for m in value), f"mailbox {attr}")
        return value


def _cross_check(parsed: dict) -> list:
    spec = parsed.get("mailboxes.yaml")
    if spec is None:
        return []
    categories = parsed.get("categories.yaml")
    codes = {c.code for c in categories.categories} if categories else set()
    out = []
    for i, box in enumerate(spec.mailboxes):
        if box.unclassified_symptom not in codes:
            out.append(
                (
                    "mailboxes.yaml",
                    None,
                    f"mailboxes.{i}.unclassified_symptom",
                    f"'{box.unclassified_symptom}' is not a category of categories.yaml",
                )
            )
        for j, rule in enumerate(box.rules):
            if rule.action == "handler" and handlers.get(rule.handler) is None:
                out.append(
                    (
                        "mailboxes.yaml",
                        None,
                        f"mailboxes.{i}.rules.{j}.handler",
                        f"no handler '{rule.handler}': use one of {', '.join(handlers.names()) or '(none)'}",
                    )
                )
    return out


def _mailbox_values(box) -> dict:
    imap = box.imap
    return {
        "label": box.label.model_dump(),
        "address": box.address.lower(),
        "active": True,
        "imap_host": imap.host if imap else "",
        "imap_port": imap.port if imap else 993,
        "imap_security": imap.security if imap else Security.SSL,
        "imap_user": imap.user if imap else "",
        "imap_password_env": imap.password_env if imap else "",
        "folder": imap.folder if imap else "INBOX",
        "processed_folder": imap.processed if imap else "processed",
        "rejected_folder": imap.rejected if imap else "rejected",
        "gateway": box.gateway,
        "max_bytes": box.max_bytes,
        "acknowledge": box.acknowledge,
        "on_closed": box.on_closed,
        "requester_role": box.requester_role,
        "site": box.site,
        "unclassified_symptom": box.unclassified_symptom,
        "rules": [
            {
                "code": r.code,
                "sender": r.sender,
                "subject": r.subject,
                "action": r.action,
                "level": r.level,
                "handler": r.handler,
                "options": r.options,
                "reason": r.reason.model_dump() if r.reason else {},
                "authenticated": r.authenticated,
                "dkim_keys": r.dkim_keys,
            }
            for r in box.rules
        ],
    }


def apply_mailboxes(institution, spec: MailboxesFile, ctx: dict) -> None:
    rows = ((box.code, _mailbox_values(box)) for box in spec.mailboxes)
    packs.sync(Mailbox, {"institution": institution}, rows, retire={"active": False})
    system_user(institution)


def register() -> None:
    packs.register("mailboxes.yaml", MailboxesFile, apply_mailboxes, required=False)
    packs.register_cross_check(_cross_check)
