"""Who is on call: the leads' one-off overrides of the rotations."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import audit
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Invalid, missing, required

from ..models import Override, Team

# -- who is on call: the leads' overrides ---------------------------------------------


def add_override(actor, team: Team, data: dict) -> Override:
    """A one-off change of the rotation (a swap for one night): from `starts_at` to
    `ends_at`, `username` is on call instead (a member, or a person of the institution
    with `name` and `phone`). Team leads only; audited; every bad field at once."""
    require(actor, perms.ONCALL_CHANGE, team.institution)
    starts, ends = data.get("starts_at"), data.get("ends_at")
    username = (data.get("username") or "").strip()
    reason = (data.get("reason") or "").strip()[:300]
    errors = missing(starts_at=starts, ends_at=ends, username=username, reason=reason)
    if starts and ends and ends <= starts:
        errors.append(("ends_at", _("The end must come after the start."), Code.END_BEFORE_START))
    member = next((m for m in team.members if m["username"] == username), None)
    name = member["name"] if member else (data.get("name") or "").strip()
    phone = member.get("phone", "") if member else (data.get("phone") or "").strip()
    if username and not member and not name:
        errors.append(
            required("name", _("Give the name of a person who is not a member of the team."))
        )
    if errors:
        raise Invalid(errors=errors)
    with transaction.atomic():
        row = Override.objects.create(
            team=team,
            starts_at=starts,
            ends_at=ends,
            username=username,
            name=name[:200],
            phone=phone[:40],
            reason=reason,
            created_by=actor,
        )
        audit.record(
            action=AuditAction.ONCALL_OVERRIDDEN,
            obj=team,
            actor=actor,
            institution=team.institution,
            data={"override": row.pk, "username": username, "from": starts, "to": ends},
        )
    return row
