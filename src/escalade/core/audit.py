"""The append-only audit log: every write records who, when, what changed."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import models

from . import prepared
from .choices import AuditAction
from .models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def event(
    *,
    action: str,
    obj: models.Model,
    actor=None,
    institution=None,
    changes: dict[str, tuple[Any, Any]] | None = None,
    data: dict[str, Any] | None = None,
    at=None,
) -> AuditEvent:
    """An unsaved audit event, for record_many()."""
    ev = AuditEvent(
        institution=institution,
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        changes={k: [_plain(b), _plain(a)] for k, (b, a) in (changes or {}).items()},
        data=_plain(data or {}),
    )
    if at is not None:
        ev.at = at
    return ev


def record_many(events: list[AuditEvent]) -> None:
    """Write several events in one statement (same transaction as the change); their
    keys are not read back."""
    prepared.insert(events, keys=False)


def record(**kwargs) -> AuditEvent:
    """Write one audit event (same arguments as event()), inside the transaction of the
    change it records."""
    ev = event(**kwargs)
    ev.save()
    return ev


def phi_viewed(actor, obj: models.Model, institution, purpose: str, **data) -> AuditEvent:
    """Record that `actor` was shown personal health information about `obj` (why, and
    how much): every display of it is recorded by the service that shows it, never by a
    selector (which only reads)."""
    return record(
        action=AuditAction.PHI_VIEWED,
        obj=obj,
        actor=actor,
        institution=institution,
        data={"purpose": purpose, **data},
    )


def diff(instance: models.Model, **new_values) -> dict[str, tuple[Any, Any]]:
    """Set `new_values` on `instance` and return {field: (before, after)} for those that changed."""
    changed = {}
    for field, value in new_values.items():
        before = getattr(instance, field)
        if before != value:
            changed[field] = (before, value)
            setattr(instance, field, value)
    return changed


def locked(instance: models.Model) -> models.Model:
    """The row again, locked until the transaction ends (SELECT ... FOR UPDATE): a service
    reads the state it checks under this lock, so two people acting at once are serialised."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def change(
    instance: models.Model,
    *,
    action: str,
    actor,
    about: models.Model | None = None,
    institution=None,
    data: dict[str, Any] | None = None,
    quiet: dict[str, Any] | None = None,
    **values,
) -> dict[str, tuple[Any, Any]]:
    """The tail of every service's write, after its checks, inside its transaction and
    under the row's lock: set `values` on `instance`, save what changed (with `quiet`
    values, saved but not recorded, such as updated_at), and record one event of `action`
    about `about` (default: the instance) in `institution` (default: its own), with the
    changes. Returns {field: (before, after)}."""
    changes = diff(instance, **values)
    for field, value in (quiet or {}).items():
        setattr(instance, field, value)
    fields = [*changes, *(quiet or {})]
    if fields:
        instance.save(update_fields=fields)
    about = instance if about is None else about
    record(
        action=action,
        obj=about,
        actor=actor,
        institution=about.institution if institution is None else institution,
        changes=changes,
        data=data,
    )
    return changes
