"""The problems' hand-written SQL, in one place: links written by PostgreSQL's COPY (a
full detection may write hundreds of thousands). Its ORM twin (bulk_create) runs on
other databases and when ESCALADE_RAW_SQL=0; problems/tests/test_sql.py checks both."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection

from .models import ProblemLink


def insert_links(pairs: list[tuple[int, int]], actor_id: int | None, at: dt.datetime) -> None:
    """Insert (problem id, incident id) links, by `actor_id` at `at`, inside the caller's
    transaction."""
    if connection.vendor != "postgresql" or not settings.ESCALADE_RAW_SQL:
        ProblemLink.objects.bulk_create(
            [
                ProblemLink(problem_id=p, incident_id=i, linked_by_id=actor_id, linked_at=at)
                for p, i in pairs
            ],
            batch_size=5000,
        )
        return
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            f'COPY "{ProblemLink._meta.db_table}"'
            " (problem_id, incident_id, linked_by_id, linked_at) FROM STDIN"
        ) as copy:
            for p, i in pairs:
                copy.write_row((p, i, actor_id, at))
