"""Accounts that live in the hospital's directory (LDAP / Active Directory) or at an
OpenID provider: made or updated at each sign-in, their roles and institutions taken from
the groups through each institution's mapping (its pack's `directory_groups` setting),
and ended when the directory no longer knows them (a scheduled check, or an OpenID
session whose refresh is refused).

Ending an account: the user can no longer sign in, their sessions are ended and their
API tokens revoked; each step is in the audit log."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, model_validator

from escalade.core import audit, packs
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Forbidden
from escalade.core.models import Institution

from .. import rules
from ..choices import Role
from ..models import ApiToken, DirectoryAccount, Membership, Profile
from . import roles_of, set_roles

log = logging.getLogger(__name__)


class GroupRule(BaseModel):
    """One line of an institution's mapping: members of `group` (its name, its DN, or a
    value of the provider's groups claim) get `role` at this institution. A role that
    sees personal health information needs `phi: true`: a group never grants it alone."""

    model_config = ConfigDict(extra="forbid")
    group: str = Field(min_length=1, max_length=500)
    role: Role
    phi: bool = False

    @model_validator(mode="after")
    def _phi_said(self):
        if self.role in rules.PHI_ROLES and not self.phi:
            raise ValueError(
                f"role '{self.role.value}' sees personal health information: write "
                "'phi: true' on this line to grant it from a group"
            )
        return self


def register() -> None:
    """Declare the institution's `directory_groups` setting (its pack's mapping)."""
    packs.declare_setting("directory_groups", list[GroupRule], [], owner="accounts")


@dataclass
class Person:
    """What the directory or the provider says of someone who signed in."""

    source: str  # "ldap" or "oidc:<provider>"
    subject: str  # the DN, or the token's sub
    username: str
    groups: list[str] = field(default_factory=list)
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    language: str = ""


def mapping() -> dict[str, list[GroupRule]]:
    """Every institution's group mapping, by institution code."""
    found = {}
    for inst in Institution.objects.all():
        rows = packs.setting_of(inst, "directory_groups")
        if rows:
            found[inst.code] = rows
    return found


def _same_fields(user, person: Person) -> list[str]:
    changed = []
    for name in ("email", "first_name", "last_name"):
        value = getattr(person, name)[:150]
        if value and getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def signed_in(person: Person):
    """The user `person` signs in as: made on their first sign-in, their roles and
    institutions set from their groups at every sign-in (a group left is a role lost),
    the change recorded. Forbidden (no_role) when their groups give them nothing here,
    or when a local account already holds their username."""
    User = get_user_model()
    account = (
        DirectoryAccount.objects.select_for_update()
        .select_related("user")
        .filter(source=person.source, subject=person.subject)
        .first()
    )
    granted = rules.grants(mapping(), person.groups)
    now = timezone.now()
    if account is None:
        user = User.objects.filter(username__iexact=person.username).first()
        if user is not None:
            raise Forbidden(
                _(
                    "A local account already has the username '%(name)s': an administrator "
                    "must link it to the directory first."
                )
                % {"name": person.username},
                field="username",
                code=Code.FORBIDDEN,
            )
        if not granted:
            raise Forbidden(no_role_message(), code=Code.NO_ROLE)
        user = User(username=person.username[:150])
        user.set_unusable_password()
        _same_fields(user, person)
        user.save()
        if person.language in ("fr-ca", "en"):
            Profile.objects.create(user=user, language=person.language)
        account = DirectoryAccount.objects.create(
            user=user, source=person.source, subject=person.subject
        )
    user = account.user
    before_roles = sorted(roles_of(user))
    before_inst = {
        code: sorted(found) or before_roles
        for code, found in Membership.objects.filter(user=user).values_list(
            "institution__code", "roles"
        )
    }
    roles = sorted({role for found in granted.values() for role in found})
    after_inst = {code: sorted(granted[code]) for code in sorted(granted)}
    set_roles(user, roles)
    _set_memberships(user, after_inst)
    fields = _same_fields(user, person)
    if not user.is_active and granted:
        user.is_active = True
        fields.append("is_active")
    if fields:
        user.save(update_fields=fields)
    account.groups = sorted(set(person.groups))[:200]
    account.signed_in_at = account.checked_at = now
    account.ended_at, account.ended_reason = None, ""
    account.save()
    if (before_roles, before_inst) != (roles, after_inst):
        audit.record(
            action=AuditAction.ROLES_FROM_DIRECTORY,
            obj=user,
            actor=None,
            changes={
                "roles": (before_roles, roles),
                "institutions": (sorted(before_inst), sorted(after_inst)),
                "roles_by_institution": (_said(before_inst), _said(after_inst)),
            },
            data={"source": person.source, "groups": account.groups},
        )
    if not granted:
        return None  # their groups no longer give them anything: recorded, and refused
    return user


def no_role_message() -> str:
    """What a person whose groups give no role here is told."""
    return _(
        "Your directory account is in no group that gives a role in Escalade. Ask your "
        "manager to add you to the right group."
    )


def _said(by_institution: dict[str, list[str]]) -> list[str]:
    """Roles per institution as the audit log shows them: "cusm: level1_agent, manager"."""
    return [f"{code}: {', '.join(roles)}" for code, roles in sorted(by_institution.items())]


def _set_memberships(user, by_institution: dict[str, list[str]]) -> None:
    """Exactly the memberships of these institutions, each with its roles, keeping the
    default one if it stays."""
    members = Membership.objects.filter(user=user).select_related("institution")
    mine = {m.institution.code: m for m in members}
    for code, member in mine.items():
        if code not in by_institution:
            member.delete()
        elif member.roles != by_institution[code]:
            member.roles = by_institution[code]
            member.save(update_fields=["roles"])
    wanted = Institution.objects.filter(code__in=list(by_institution)).order_by("code")
    has_default = any(m.is_default for c, m in mine.items() if c in by_institution)
    for inst in wanted:
        if inst.code not in mine:
            Membership.objects.create(
                user=user,
                institution=inst,
                is_default=not has_default,
                roles=by_institution[inst.code],
            )
            has_default = True
    user.__dict__.pop("_escalade_institution_ids", None)
    user.__dict__.pop("_escalade_member_roles", None)


def end_sessions(user) -> int:
    """End every session of `user` (database sessions): how many."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def end_account(account: DirectoryAccount, reason: str) -> dict:
    """The directory no longer lets this person in: they cannot sign in, their sessions
    end and their API tokens are revoked, at once. Returns what was done (counted)."""
    account = DirectoryAccount.objects.select_for_update().select_related("user").get(pk=account.pk)
    user = account.user
    now = timezone.now()
    revoked = ApiToken.objects.filter(user=user, revoked=False).update(revoked=True, revoked_at=now)
    sessions = end_sessions(user)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    account.ended_at, account.ended_reason = now, reason[:200]
    account.checked_at = now
    account.save(update_fields=["ended_at", "ended_reason", "checked_at"])
    done = {"reason": reason, "tokens_revoked": revoked, "sessions_ended": sessions}
    audit.record(
        action=AuditAction.ACCOUNT_ENDED,
        obj=user,
        actor=None,
        data={"source": account.source, **done},
    )
    log.warning("directory account of %s ended: %s", user.get_username(), reason)
    return done
