"""Scheduled jobs of the reports (see core.scheduler.SCHEDULES)."""

import zoneinfo

from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from escalade.core import packs
from escalade.core.models import Institution
from escalade.notifications.services import send_mail

from .services import send_due_period_reports
from .stats import follow_up_report


@task()
def send_period_reports() -> list[str]:
    zone = Institution.objects.values_list("timezone", flat=True).first() or "America/Montreal"

    return send_due_period_reports(timezone.now().astimezone(zoneinfo.ZoneInfo(zone)).date())


@task()
def send_follow_up_reports() -> int:
    """Level 1's follow-up report, e-mailed daily where the pack names recipients."""

    n = 0
    for institution in Institution.objects.all():
        to = packs.setting_of(institution, "follow_up_report_to")
        if not to:
            continue
        report = follow_up_report(institution, timezone.now())
        body = render_to_string(
            "reports/follow_up.txt", {"report": report, "institution": institution}
        )
        send_mail(list(to), f"Suivi / follow-up — {institution.label}", body)
        n += 1
    return n
