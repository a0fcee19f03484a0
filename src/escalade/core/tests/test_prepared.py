"""Statements built once per process (core/prepared.py) write and read exactly what the
ORM writes and reads, on SQLite and PostgreSQL; SQLite writers queue on the file lock
(core/backends/sqlite3)."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from escalade.core import prepared
from escalade.core.backends.sqlite3.base import DatabaseWrapper as GatedSQLite
from escalade.core.models import AuditEvent, Institution


def _institution():
    return Institution.objects.create(
        code="t1", name={"en": "Test", "fr": "Essai"}, timezone="America/Montreal"
    )


@pytest.mark.django_db
def test_insert_sets_keys_and_stores_what_the_orm_reads_back():
    inst = _institution()
    at = dt.datetime(2026, 3, 8, 6, 59, 59, 123456, tzinfo=dt.UTC)
    events = [
        AuditEvent(
            institution=inst,
            action="created",
            object_type="incident",
            object_id=str(i),
            data={"é": "Télésanté", "n": i, "list": [1, None]},
            at=at,
        )
        for i in range(3)
    ]
    prepared.insert(events)
    assert all(e.pk for e in events) and len({e.pk for e in events}) == 3
    assert not events[0]._state.adding
    back = AuditEvent.objects.get(pk=events[1].pk)
    assert back.at == at
    assert back.data == {"é": "Télésanté", "n": 1, "list": [1, None]}
    assert back.institution_id == inst.pk and back.changes == {}


@pytest.mark.django_db
def test_a_value_not_of_the_columns_type_is_converted_as_the_orm_would():
    inst = _institution()
    event = AuditEvent(institution_id=str(inst.pk), action="created", object_type="x", object_id=42)
    prepared.insert([event])
    back = AuditEvent.objects.get(pk=event.pk)
    assert back.object_id == "42" and back.institution_id == inst.pk


def _events(inst, n):
    return [
        AuditEvent(institution=inst, action="created", object_type="x", object_id=str(i))
        for i in range(n)
    ]


@pytest.mark.django_db
def test_rows_sent_without_their_keys_are_there_for_the_next_read_of_the_block():
    inst = _institution()
    with transaction.atomic(), prepared.batched():
        events = _events(inst, 3)
        prepared.insert(events, keys=False)
        assert [e.pk for e in events] == [None] * 3  # not read back
        seen = AuditEvent.objects.filter(institution=inst).count()
    assert seen == 3


@pytest.mark.django_db
def test_a_statement_failing_in_a_batch_undoes_the_whole_block():
    inst = _institution()
    with pytest.raises(IntegrityError), transaction.atomic(), prepared.batched():
        prepared.insert(_events(inst, 2), keys=False)
        Institution.objects.create(code="t1", name={"en": "Twin", "fr": "Double"})
    assert not AuditEvent.objects.filter(institution=inst).exists()
    assert Institution.objects.filter(code="t1").count() == 1
    # the connection is usable again afterwards
    prepared.insert(_events(inst, 1), keys=False)
    assert AuditEvent.objects.filter(institution=inst).count() == 1


@pytest.mark.django_db
def test_a_row_read_by_sql_converts_like_the_orm():
    inst = _institution()
    prepared.insert(
        [AuditEvent(institution=inst, action="created", object_type="x", data={"a": [1]})]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {prepared.columns(AuditEvent, 'e')} FROM core_auditevent e"
            " WHERE e.institution_id = %s",
            [inst.pk],
        )
        (raw,) = prepared.instances(AuditEvent, cursor.fetchall())
    orm = AuditEvent.objects.get(institution=inst)
    assert raw.pk == orm.pk
    assert raw.at == orm.at and timezone.is_aware(raw.at)
    assert raw.data == {"a": [1]} and raw.institution_id == inst.pk
    assert not raw._state.adding


def _gated(path, **options):
    settings = {
        **connection.settings_dict,
        "ENGINE": "escalade.core.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 0, **options},
        "CONN_MAX_AGE": 0,
    }
    return GatedSQLite(settings, alias="gate")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the file lock is SQLite's")
def test_a_second_writer_waits_for_the_first_instead_of_failing(tmp_path, django_db_blocker):
    """With SQLite's busy timeout at 0, a second writer would fail at once with "database
    is locked"; the file lock makes it wait until the first commits (or rolls back)."""
    with django_db_blocker.unblock():
        _two_writers(tmp_path)


def _two_writers(tmp_path):
    setup = _gated(tmp_path / "db.sqlite3")
    with setup.cursor() as c:
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("CREATE TABLE t (who TEXT)")
    # `setup` stays open: the last connection to close checkpoints the WAL under an
    # exclusive lock, which a writer with no busy timeout would meet.

    holding, go = threading.Event(), threading.Event()
    seen, errors = {}, []

    def first(fail: bool):
        db = _gated(tmp_path / "db.sqlite3")
        try:
            db._start_transaction_under_autocommit()
            db.cursor().execute("INSERT INTO t VALUES ('first')")
            holding.set()
            go.wait(5)
            db.rollback() if fail else db.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            db.close()

    def second():
        db = _gated(tmp_path / "db.sqlite3")
        try:
            db._start_transaction_under_autocommit()  # waits on the lock file
            with db.cursor() as c:
                c.execute("SELECT who FROM t ORDER BY rowid")
                seen["before"] = [r[0] for r in c.fetchall()]
                c.execute("INSERT INTO t VALUES ('second')")
            db.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            db.close()

    for fail, expected in ((False, ["first"]), (True, ["first", "second"])):
        holding.clear(), go.clear()
        a = threading.Thread(target=first, args=(fail,))
        a.start()
        assert holding.wait(5), errors
        b = threading.Thread(target=second)
        b.start()
        b.join(0.3)
        assert b.is_alive(), "the second writer did not wait"
        go.set()
        a.join(5), b.join(5)
        assert errors == []
        assert seen["before"] == expected  # it began after the first ended
    assert (tmp_path / "db.sqlite3.writers").exists()
    setup.close()
