"""The scheduler queues a due job once; the period report reaches the supervisor once
through a real SMTP server; a manager can resend it; the follow-up report page."""

import datetime as dt

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command

from escalade.core.models import Schedule
from escalade.core.scheduler import ensure_schedules, tick
from escalade.incidents.tests.factories import log
from escalade.reports import services

from .test_major_report import Inbox, free_port

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0)


def test_a_due_schedule_is_queued_once_and_moves_to_its_next_run():
    t0 = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
    Schedule.objects.all().delete()  # made by migrate with today's clock
    with time_machine.travel(t0, tick=False):  # 05:00 in Montreal
        ensure_schedules()
    schedule = Schedule.objects.get(name="period-report")
    assert schedule.next_run_at == dt.datetime(
        2026, 11, 24, 11, 0, tzinfo=dt.UTC
    )  # 06:00 in Montreal
    later = dt.datetime(2026, 11, 24, 11, 0, 5, tzinfo=dt.UTC)
    assert "period-report" in tick(later)
    assert "period-report" not in tick(later)  # a second scheduler at the same moment
    schedule.refresh_from_db()
    assert schedule.last_run_at == later and schedule.next_run_at == dt.datetime(
        2026, 11, 25, 11, 0, tzinfo=dt.UTC
    )


def test_the_period_report_goes_to_the_supervisor_once(cusm, staff, settings, client):
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        with time_machine.travel(dt.datetime(2026, 8, 1, 14, 0, tzinfo=dt.UTC), tick=False):
            log(staff["level1_agent"], cusm, symptom="codec")  # in 2026-P05 (Jul 22 - Aug 18)
        today = dt.date(2026, 8, 19)  # P05 ended yesterday
        assert services.send_due_period_reports(today) == ["cusm 2026-P05"]
        assert services.send_due_period_reports(today) == []  # once
        run_worker()
        assert len(inbox.messages) == 1
        recipients, message = inbox.messages[0]
        assert recipients == ["superieur.cct@example.org"] and "2026-P05" in message["Subject"]
        assert any(p.get_filename() == "statistics-2026-P05.xlsx" for p in message.walk())
        client.force_login(staff["manager"])
        client.post("/statistics/resend/", {"period": "2026-P05"})
        run_worker()
        assert len(inbox.messages) == 2
    finally:
        controller.stop()


def test_the_follow_up_report_lists_stale_and_partner_waiting_requests(cusm, staff, client):
    from escalade.incidents import services as incidents
    from escalade.incidents.models import Incident

    agent = staff["level1_agent"]
    stale = log(agent, cusm)
    Incident.objects.filter(pk=stale.pk).update(updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    waiting = log(agent, cusm, symptom="ritm")
    incidents.escalate(
        agent, waiting, to_level=3, reason="general failure", partner="SOGIQUE", external_ref="SQ-1"
    )
    client.force_login(agent)
    html = client.get("/follow-up/").content.decode()
    assert stale.number in html.split('id="stale"')[1].split("</ul>")[0]
    assert waiting.number in html.split('id="waiting"')[1].split("</ul>")[0]
