"""Request numbers: PREFIX-YYYY-NNNNNN, per prefix and year, never duplicated."""

import os
import subprocess
import sys
import textwrap

import pytest
from django.db import connection, transaction

from escalade.core.numbering import format_number, next_number


def test_format():
    assert format_number("C2", 2026, 12) == "C2-2026-000012"


@pytest.mark.django_db
def test_each_prefix_and_year_counts_on_its_own():
    with transaction.atomic():
        got = [
            next_number("CCT", 2026),
            next_number("CCT", 2026),
            next_number("C2", 2026),
            next_number("CCT", 2027),
        ]
    assert got == ["CCT-2026-000001", "CCT-2026-000002", "C2-2026-000001", "CCT-2027-000001"]


@pytest.mark.django_db(transaction=True)
def test_a_number_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        next_number("CCT", 2026)


WORKER = textwrap.dedent(
    """
    import django, os, sys
    django.setup()
    from django.contrib.auth import get_user_model
    from escalade.core.models import Institution
    from escalade.incidents.tests.factories import log
    inst = Institution.objects.get(code="cusm")
    agent = get_user_model().objects.get(username="level1_agent")
    for _ in range(int(sys.argv[1])):
        log(agent, inst, symptom=sys.argv[2])
    """
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the concurrency proof runs on PostgreSQL"
)
def test_four_processes_create_2000_incidents_with_2000_distinct_numbers(cusm, staff):
    from escalade.incidents.models import Incident, Ticket

    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "escalade.config.settings"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, "500", "lan" if i % 2 else "pc_simple"], env=env
        )
        for i in range(4)
    ]
    assert [p.wait(timeout=600) for p in procs] == [0, 0, 0, 0]
    numbers = list(Incident.objects.values_list("number", flat=True))
    assert len(numbers) == 2000 and len(set(numbers)) == 2000
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, 2001))
    tickets = list(Ticket.objects.values_list("number", flat=True))
    assert len(tickets) == 1000 and sorted(int(n[-6:]) for n in tickets) == list(range(1, 1001))
