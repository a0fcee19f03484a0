"""Every write on action items: added by a report's author or a problem's owner, done or
cancelled, and the daily reminders to their owners. The apps that ask for the work
(reports, problems) call `add` for the row they own; the item keeps which row that is."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts import rules as perms
from escalade.accounts.services import belongs_to, has_permission
from escalade.core import audit
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Forbidden, Invalid
from escalade.notifications import services as notify

from . import rules
from .choices import ActionSource, ActionState
from .errors import ActionError
from .models import ActionItem

SUBJECTS = {
    "action_assigned": gettext_lazy("Action item for you: %(text)s (due %(due)s)"),
    "action_due_soon": gettext_lazy("Action item due on %(due)s: %(text)s"),
    "action_overdue": gettext_lazy("Action item overdue since %(due)s: %(text)s"),
}


def _owner(institution, owner):
    """The owner: a user (or username) who works for the institution."""
    if owner in (None, ""):
        return None
    User = get_user_model()
    user = owner if isinstance(owner, User) else User.objects.filter(username=owner).first()
    if user is None or not user.memberships.filter(institution=institution).exists():
        raise Invalid(
            _("%(owner)s does not work for this institution.") % {"owner": owner},
            field="owner",
            code=ActionError.OWNER_NOT_MEMBER,
        )
    return user


def add(
    actor,
    about: models.Model,
    *,
    source: str,
    text: str,
    owner=None,
    due: dt.date | None = None,
    link: str = "",
    label: str = "",
    need_owner: bool = True,
) -> ActionItem:
    """Add an item to `about` (the major incident whose report asks for it, or the
    problem): what, its owner (a member of the institution) and its due date, both
    required unless `need_owner` is False (a problem's measure may wait for an owner).
    Audited on `about`; the owner is told in-app and by e-mail in their language, in
    the same transaction."""
    institution = about.institution
    text = (text or "").strip()
    errors = []
    if not text:
        errors.append(("text", _("Say what is to be done."), Code.REQUIRED))
    try:
        owner = _owner(institution, owner)
    except Invalid as exc:
        errors.extend(exc.errors)
        owner = None
    if need_owner and owner is None and not errors:
        errors.append(("owner", _("Name who will do it."), Code.REQUIRED))
    if need_owner and due is None:
        errors.append(("due", _("Give a due date."), Code.REQUIRED))
    if errors:
        raise Invalid(errors=errors)
    with transaction.atomic():
        item = ActionItem.objects.create(
            institution=institution,
            source=source,
            source_id=about.pk,
            source_label=label[:200],
            link=link[:200],
            text=text,
            owner=owner,
            due=due,
            created_by=actor,
        )
        audit.record(
            action=AuditAction.ACTION_ADDED,
            obj=about,
            actor=actor,
            institution=institution,
            data={
                "item": item.pk,
                "text": text,
                "owner": owner.get_username() if owner else None,
                "due": due.isoformat() if due else None,
            },
        )
        if owner is not None and owner != actor:
            _tell(item, "action_assigned")
    return item


def _tell(item: ActionItem, kind: str) -> None:
    params = {
        "text": item.text[:120],
        "due": item.due.isoformat() if item.due else "—",
        "source": item.source_label,
    }
    notify.tell(
        notify.people([item.owner_id]),
        kind=kind,
        params=params,
        link=item.link or "/actions/",
        subject=SUBJECTS[kind],
    )


# the row each source names (by id): its audit events read on that row's timeline
SOURCE_MODELS = {
    ActionSource.MAJOR_REPORT: ("incidents", "Incident"),
    ActionSource.PROBLEM: ("problems", "Problem"),
}


def about_of(item: ActionItem) -> models.Model:
    """The incident or problem that asked for the item (looked up by name: the apps that
    ask are built on this one)."""
    return apps.get_model(*SOURCE_MODELS[item.source])._default_manager.get(pk=item.source_id)


def may_change(user, item: ActionItem) -> bool:
    """Its owner, or a lead of its institution (ACTION_CHANGE there)."""
    return (item.owner_id is not None and item.owner_id == user.pk) or has_permission(
        user, perms.ACTION_CHANGE, item.institution
    )


def _move(
    actor, item: ActionItem, action: str, audit_action: str, about=None, **values
) -> ActionItem:
    if not belongs_to(actor, item.institution_id) or not may_change(actor, item):
        raise Forbidden(_("Only its owner or a lead can change this action item."))
    with transaction.atomic():
        item = audit.locked(item)
        state = rules.TRANSITIONS.move(
            action, item.state, _("This action item cannot do that now.")
        )
        audit.change(
            item,
            action=audit_action,
            actor=actor,
            about=about or about_of(item),
            institution=item.institution,
            data={"item": item.pk, "text": item.text},
            state=state,
            **values,
        )
    return item


def complete(actor, item: ActionItem, about=None, note: str = "") -> ActionItem:
    """Done (its owner or a lead), with an optional note; audited on its source."""
    values = {"done_at": timezone.now()}
    if note.strip():
        values["note"] = note.strip()
    return _move(actor, item, "complete", AuditAction.ACTION_DONE, about, **values)


def cancel(actor, item: ActionItem, reason: str, about=None) -> ActionItem:
    """No longer needed, with the reason (a lead, or its owner)."""
    if not (reason or "").strip():
        raise Invalid(_("Say why it is cancelled."), field="reason", code=Code.REQUIRED)
    return _move(actor, item, "cancel", AuditAction.ACTION_CANCELLED, about, note=reason.strip())


def reopen(actor, item: ActionItem, about=None) -> ActionItem:
    """Back to do (done too soon)."""
    return _move(actor, item, "reopen", AuditAction.ACTION_REOPENED, about, done_at=None)


def move_to(source: str, from_id: int, to_id: int, label: str = "", link: str = "") -> int:
    """The items of one source row now belong to another (two problems merged)."""
    values = {"source_id": to_id}
    if label:
        values["source_label"] = label[:200]
    if link:
        values["link"] = link[:200]
    return ActionItem.objects.filter(source=source, source_id=from_id).update(**values)


def send_reminders(today: dt.date) -> int:
    """The daily job: each open item's owner reminded from two days before its due date,
    then on the first day it is overdue and every week after; each reminder once (its key
    is kept on the row, written in the reminder's transaction). Returns how many."""
    sent = 0
    soon = today + dt.timedelta(days=rules.LEAD_DAYS)
    ids = ActionItem.objects.filter(
        state=ActionState.OPEN, owner__isnull=False, due__isnull=False, due__lte=soon
    ).values_list("pk", flat=True)
    for pk in ids:
        with transaction.atomic():
            item = (
                ActionItem.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, state=ActionState.OPEN)
                .first()
            )
            if item is None:
                continue
            key = rules.reminder_key(item.due, today)
            if key is None or key in item.reminded:
                continue
            item.reminded = [*item.reminded, key]
            item.save(update_fields=["reminded"])
            _tell(item, "action_due_soon" if key == "before" else "action_overdue")
            sent += 1
    return sent


__all__ = ["ActionSource", "add", "cancel", "complete", "move_to", "reopen", "send_reminders"]
