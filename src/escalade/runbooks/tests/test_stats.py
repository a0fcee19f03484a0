"""Outages count in the period's statistics: how many, minutes in degraded mode, per
system (the page, the API and the exports)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from escalade.reports import stats
from escalade.runbooks import services

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)


def test_outages_count_in_the_period_figures(pau, crew):
    it = crew["it_technician"]
    with time_machine.travel(T0, tick=False):
        pacs = services.activate(it, pau, "case3_pacs")
        services.activate(it, pau, "case4_ris_pacs")
    with time_machine.travel(T0 + dt.timedelta(minutes=95), tick=False):
        services.restore(it, pacs)
    with time_machine.travel(T0 + dt.timedelta(minutes=120), tick=False):
        fig = stats.figures(pau, stats.Range(dt.date(2026, 12, 1), dt.date(2026, 12, 31), ""))
        assert fig["outages"]["count"] == 2
        assert fig["outages"]["by_system"] == [
            {"system": "RIS+PACS", "count": 1, "minutes": 120},  # still in degraded mode
            {"system": "PACS", "count": 1, "minutes": 95},
        ]
        client = Client(HTTP_ACCEPT_LANGUAGE="fr")
        client.force_login(crew["manager"])
        page = client.get("/statistics/", {"from": "2026-12-01", "to": "2026-12-31"})
        assert "Pannes de systèmes cliniques" in page.content.decode()
        csv = client.get("/api/stats/export", {"from": "2026-12-01", "to": "2026-12-31"})
        assert "RIS+PACS" in csv.content.decode()
