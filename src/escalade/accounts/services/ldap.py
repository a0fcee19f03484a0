"""The hospital's directory over LDAP (OpenLDAP, Active Directory), with ldap3 (pure
Python: nothing to compile on a new machine). A service account searches; the person's
own bind checks their password; their groups are followed through nesting; StartTLS
or LDAPS with the certificate checked; every wait bounded by the configured timeout, so
that a directory that does not answer gives a clear message, not a hung page.

Settings: settings.ESCALADE_LDAP (config/settings.py reads ESCALADE_LDAP_* from the
environment); None turns the directory off."""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.utils import timezone
from ldap3 import BASE, NONE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import (
    LDAPException,
    LDAPInvalidCredentialsResult,
    LDAPNoSuchObjectResult,
)
from ldap3.utils.conv import escape_filter_chars

from escalade.core.errors import Forbidden

from ..models import DirectoryAccount
from . import directory

log = logging.getLogger(__name__)

SOURCE = "ldap"
NESTING = 10  # groups of groups followed this deep, no further
ATTRIBUTES = ["mail", "givenName", "sn", "preferredLanguage"]


class DirectoryDown(Exception):
    """The directory did not answer in time, or refused the service account."""


@dataclass
class Found:
    """An account the directory let in: its DN, attributes and groups."""

    dn: str
    attributes: dict
    groups: list[str]


def _first(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "")


class Directory:
    """One configured directory (settings.ESCALADE_LDAP)."""

    def __init__(self, config: dict):
        self.config = config
        url = config["url"]
        tls = Tls(
            validate=ssl.CERT_REQUIRED,
            ca_certs_file=config.get("ca_file") or None,
            version=ssl.PROTOCOL_TLS_CLIENT,
        )
        self.server = Server(
            url,
            use_ssl=url.lower().startswith("ldaps://"),
            tls=tls,
            connect_timeout=config["timeout"],
            get_info=NONE,
        )

    def _connect(self, user: str = "", password: str = "") -> Connection:
        """An open, bound connection (as the service account by default)."""
        conn = Connection(
            self.server,
            user=user or self.config.get("bind_dn") or None,
            password=password or self.config.get("bind_password") or None,
            receive_timeout=max(1, round(self.config["timeout"])),  # an int: ldap3 packs it
            raise_exceptions=True,
            read_only=True,
        )
        conn.open()
        if self.config.get("start_tls") and not self.server.ssl:
            conn.start_tls()
        conn.bind()
        return conn

    def _service(self) -> Connection:
        try:
            return self._connect()
        except LDAPException as exc:
            log.error("the directory %s does not answer: %s", self.config["url"], exc)
            raise DirectoryDown(str(exc)) from exc

    def _active_filter(self, inner: str) -> str:
        disabled = self.config.get("disabled_filter") or ""
        return f"(&{inner}(!{disabled}))" if disabled else inner

    def authenticate(self, username: str, password: str) -> Found | None:
        """The person, if `username` names one active account and `password` is theirs;
        None otherwise. DirectoryDown when the directory does not answer."""
        if not username or not password:  # an empty password is an anonymous bind
            return None
        inner = self.config["user_filter"].format(username=escape_filter_chars(username))
        conn = self._service()
        try:
            conn.search(
                self.config["user_base"],
                self._active_filter(inner),
                SUBTREE,
                attributes=ATTRIBUTES,
                size_limit=2,
            )
            entries = list(conn.entries)
            if len(entries) != 1:
                return None
            entry = entries[0]
            dn = entry.entry_dn
            try:
                self._connect(dn, password).unbind()
            except LDAPInvalidCredentialsResult:
                return None
            groups = self._groups(conn, dn)
            return Found(dn=dn, attributes=entry.entry_attributes_as_dict, groups=groups)
        except LDAPException as exc:
            log.error("the directory %s failed during a sign-in: %s", self.config["url"], exc)
            raise DirectoryDown(str(exc)) from exc
        finally:
            conn.unbind()

    def _groups(self, conn: Connection, dn: str) -> list[str]:
        """The names and DNs of every group `dn` is in, directly or through groups of
        groups (NESTING levels)."""
        seen: dict[str, str] = {}
        frontier = [dn]
        for _level in range(NESTING):
            if not frontier:
                break
            members = "".join(f"(member={escape_filter_chars(d)})" for d in frontier)
            conn.search(
                self.config.get("group_base") or self.config["user_base"],
                f"(|{members})",
                SUBTREE,
                attributes=["cn"],
            )
            frontier = []
            for entry in conn.entries:
                if entry.entry_dn not in seen:
                    seen[entry.entry_dn] = _first(entry.entry_attributes_as_dict.get("cn"))
                    frontier.append(entry.entry_dn)
        return sorted({*seen, *(name for name in seen.values() if name)})

    def state(self, dn: str) -> str:
        """ "active", "disabled" or "gone": what the directory says of an account now."""
        conn = self._service()
        try:
            try:
                conn.search(dn, "(objectClass=*)", BASE, attributes=["objectClass"])
            except LDAPNoSuchObjectResult:
                return "gone"
            if not conn.entries:
                return "gone"
            disabled = self.config.get("disabled_filter")
            if disabled:
                conn.search(dn, disabled, BASE, attributes=["objectClass"])
                if conn.entries:
                    return "disabled"
            return "active"
        except LDAPException as exc:
            raise DirectoryDown(str(exc)) from exc
        finally:
            conn.unbind()


def configured() -> Directory | None:
    """The directory settings name, or None when it is off."""
    config = getattr(settings, "ESCALADE_LDAP", None)
    return Directory(config) if config else None


class DirectoryBackend(BaseBackend):
    """Django's sign-in through the directory (after local passwords). A directory that
    does not answer, or groups that give no role, leave a reason on the request for
    the sign-in page to show."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        """The user the directory lets in with this name and password, or None."""
        found_dir = configured()
        if found_dir is None or not username or not password:
            return None
        try:
            found = found_dir.authenticate(username.strip(), password)
        except DirectoryDown:
            if request is not None:
                request.escalade_sign_in_problem = "directory_down"
            return None
        if found is None:
            return None
        attrs = found.attributes
        language = _first(attrs.get("preferredLanguage")).lower()
        person = directory.Person(
            source=SOURCE,
            subject=found.dn,
            username=username.strip().lower(),
            groups=found.groups,
            email=_first(attrs.get("mail")),
            first_name=_first(attrs.get("givenName")),
            last_name=_first(attrs.get("sn")),
            language="fr-ca" if language.startswith("fr") else ("en" if language else ""),
        )
        try:
            user = directory.signed_in(person)
        except Forbidden as refused:
            if request is not None:
                request.escalade_sign_in_problem = str(refused.message)
            return None
        if user is None and request is not None:
            request.escalade_sign_in_problem = "no_role"
        return user

    def get_user(self, user_id):
        """The session's user, while still active."""
        return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def check_accounts() -> dict:
    """Ask the directory about every account it let in: one disabled or removed there
    is ended here (sessions, API tokens). Nothing is ended while the directory does not
    answer. Returns counts."""
    found_dir = configured()
    counts = {"checked": 0, "ended": 0}
    if found_dir is None:
        return counts
    for account in DirectoryAccount.objects.filter(source=SOURCE, ended_at__isnull=True):
        state = found_dir.state(account.subject)  # DirectoryDown stops the whole check
        counts["checked"] += 1
        if state == "active":
            DirectoryAccount.objects.filter(pk=account.pk).update(checked_at=timezone.now())
        else:
            directory.end_account(account, f"{state} in the directory")
            counts["ended"] += 1
    return counts
