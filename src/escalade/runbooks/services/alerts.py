"""Monitoring alerts (Alertmanager) mapped to runbooks: an incident per alert group, a
return proposed when it resolves."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import require
from escalade.core import audit
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Invalid
from escalade.incidents import services as incidents
from escalade.incidents.choices import Status
from escalade.incidents.services import IncidentInput
from escalade.notifications import services as notify

from ..choices import OutageState
from ..models import (
    Alert,
    AlertRule,
    Outage,
)
from .activation import activate

# -- monitoring alerts -------------------------------------------------------------


def _rule_for(institution, labels: dict) -> AlertRule | None:
    for rule in AlertRule.objects.filter(institution=institution).select_related("runbook"):
        if all(str(labels.get(k)) == str(v) for k, v in rule.match.items()):
            return rule
    return None


def queue_alerts(actor, institution, alerts: list[dict], group_key: str = "") -> int:
    """Check a large Alertmanager call now (permission, cap, fingerprints) and queue it
    for a worker (runbooks.tasks.receive_alerts); returns how many alerts wait."""
    require(actor, perms.OUTAGE_RUN, institution)
    _check_alerts(alerts)
    from ..tasks import receive_alerts as task  # noqa: PLC0415 - tasks import services

    with transaction.atomic():
        task.enqueue(actor.pk, institution.pk, alerts, (group_key or "")[:300])
    return len(alerts)


def _check_alerts(alerts: list[dict]) -> None:
    most = settings.ESCALADE_ALERTS_MAX_PER_CALL
    if len(alerts) > most:
        raise Invalid(
            _("%(count)s alerts in one call: at most %(max)s (set max_alerts in Alertmanager).")
            % {"count": len(alerts), "max": most},
            field="alerts",
            code=Code.TOO_LONG,
        )
    if any(not str(item.get("fingerprint") or "") for item in alerts):
        raise Invalid(
            _("Each alert needs its fingerprint."),
            field="alerts.fingerprint",
            code=Code.REQUIRED,
        )


def receive_alerts(actor, institution, alerts: list[dict], group_key: str = "") -> dict:
    """Prometheus Alertmanager's alerts (webhook version 4), each by its fingerprint: a
    firing alert the pack maps to a runbook opens that outage, or joins the one already
    open; a repeat is folded into what it opened; a resolved one proposes the return to
    normal to the people on the outage (it closes nothing); an alert that maps to nothing
    opens a plain incident with its labels, one per Alertmanager group (`group_key`): the
    others of the group are folded into it. At most ESCALADE_ALERTS_MAX_PER_CALL alerts
    (Alertmanager's `max_alerts`): more is refused whole, and not retried by Alertmanager.
    Returns what each alert did."""
    require(actor, perms.OUTAGE_RUN, institution)
    _check_alerts(alerts)
    group_key = (group_key or "")[:300]
    done: dict[str, list] = {
        "opened": [],
        "joined": [],
        "folded": [],
        "resolved": [],
        "incidents": [],
    }
    for item in alerts:
        fingerprint = str(item.get("fingerprint") or "")[:64]
        labels = {str(k): str(v) for k, v in (item.get("labels") or {}).items()}
        with transaction.atomic():
            seen = (
                Alert.objects.select_for_update()
                .filter(institution=institution, fingerprint=fingerprint)
                .first()
            )
            if item.get("status") == "resolved":
                if seen is not None and seen.status != "resolved":
                    seen.status = "resolved"
                    seen.save(update_fields=["status", "last_seen"])
                    if seen.outage_id and seen.outage.state == OutageState.ACTIVE:
                        _propose_return(seen)
                    done["resolved"].append(fingerprint)
                continue
            if seen is not None and seen.status == "firing":
                seen.repeats += 1
                seen.save(update_fields=["repeats", "last_seen"])
                done["folded"].append(fingerprint)
                continue
            rule = _rule_for(institution, labels)
            summary = labels.get("alertname", fingerprint)
            outage = incident = None
            grouped = (
                Alert.objects.filter(
                    institution=institution,
                    group_key=group_key,
                    status="firing",
                    outage=None,
                    incident__status__in=Status.open_values(),
                )
                .exclude(incident=None)
                .select_related("incident")
                .first()
                if rule is None and group_key
                else None
            )
            if rule is not None:
                outage = (
                    Outage.objects.filter(runbook=rule.runbook, state=OutageState.ACTIVE)
                    .order_by("-started_at")
                    .first()
                )
                if outage is None:
                    outage = activate(
                        actor, institution, rule.runbook.code, note=_alert_text(summary, labels)
                    )
                    done["opened"].append(outage.pk)
                else:
                    done["joined"].append(outage.pk)
                incident = outage.incident
            elif grouped is not None:
                incident = grouped.incident  # one incident for the group's alerts
                done["folded"].append(fingerprint)
            else:
                incident = incidents.log_incident(
                    actor,
                    institution,
                    IncidentInput(
                        channel="api",
                        requester_name="Alertmanager",
                        requester_role="staff",
                        requester_site=institution.label,
                        symptom=institution.setting("alert_symptom") or "",
                        summary=summary[:200],
                        description=_alert_text(summary, labels),
                    ),
                )
                done["incidents"].append(incident.number)
            if seen is None:
                seen = Alert(institution=institution, fingerprint=fingerprint)
            seen.labels, seen.status, seen.outage, seen.incident, seen.group_key = (
                labels,
                "firing",
                outage,
                incident,
                group_key,
            )
            seen.save()
    return done


def _alert_text(summary: str, labels: dict) -> str:
    return summary + "\n" + "\n".join(f"{k}={v}" for k, v in sorted(labels.items()))


def _propose_return(alert: Alert) -> None:
    """Monitoring says it is back: the people on the outage are asked to start the return
    to normal (its starter and whoever ticked its steps)."""
    outage = alert.outage
    ids = {outage.started_by_id, *outage.steps.exclude(by=None).values_list("by_id", flat=True)}
    who = notify.people([i for i in ids if i])
    told = notify.tell(
        who,
        kind="outage_back",
        params={"alert": alert.labels.get("alertname", alert.fingerprint), "outage": outage.pk},
        link=f"/outages/{outage.pk}/",
        subject=notify.MESSAGES["outage_back"],
    )
    audit.record(
        action=AuditAction.NOTIFIED,
        obj=outage.about,
        institution=outage.institution,
        data={
            "kind": "outage_back",
            "outage": outage.pk,
            "users": told,
            "mailed": notify.mailed(who),
        },
    )
