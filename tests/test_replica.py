"""A real PostgreSQL streaming replica (pg_basebackup of the test's server, started on a
free port) takes the heavy reads, and the primary takes them back when the replica lags
or is down; PgBouncer in transaction mode in front of the primary in the same run.

PostgreSQL only (the PostgreSQL pass of .ci/run, which lets 127.0.0.1 make replication
connections); the servers run as the postgres user, as Debian's do."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from escalade.core import replica
from escalade.core.pagination import PageQuery, paginate
from escalade.incidents.models import Incident

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's replication"),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parent.parent
BIN = (
    Path("/usr/lib/postgresql")
    / (os.listdir("/etc/postgresql")[0] if Path("/etc/postgresql").is_dir() else "15")
    / "bin"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(*cmd, **kw):
    return subprocess.run(["runuser", "-u", "postgres", "--", *map(str, cmd)], **kw)


def ready(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)]).returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


@pytest.fixture(scope="module")
def replica_server():
    """A hot standby of the primary (127.0.0.1:5432), streaming from it."""
    primary = connection.settings_dict
    work = Path(tempfile.mkdtemp(prefix="escalade-replica-"))
    data, port = work / "data", free_port()
    shutil.chown(work, "postgres", "postgres")
    backup = as_postgres(
        BIN / "pg_basebackup", "-h", primary["HOST"] or "127.0.0.1", "-p", primary["PORT"] or 5432,
        "-U", primary["USER"] or "postgres", "-D", data, "-R", "-X", "stream", "-c", "fast",
        capture_output=True, text=True,
    )  # fmt: skip
    if backup.returncode and "replication connection" in backup.stderr:
        shutil.rmtree(work, ignore_errors=True)
        pytest.skip(
            "the PostgreSQL at 127.0.0.1 refuses replication connections: add "
            "'host replication all 127.0.0.1/32 trust' to its pg_hba.conf (.ci/run does)"
        )
    assert backup.returncode == 0, backup.stderr
    # Debian keeps a cluster's configuration out of its data directory: the replica's own
    (data / "postgresql.conf").write_text(
        f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{work}'\n"
        "hot_standby = on\nwal_receiver_status_interval = 1s\nfsync = off\n"
    )
    (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    (data / "pg_ident.conf").write_text("")
    for f in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
        shutil.chown(data / f, "postgres", "postgres")
    server = subprocess.Popen(
        ["runuser", "-u", "postgres", "--", str(BIN / "postgres"), "-D", str(data)],
        stdout=subprocess.DEVNULL,
        stderr=open(work / "replica.log", "wb"),  # noqa: SIM115
        start_new_session=True,
    )
    try:
        ready(port)
        yield {"port": port, "server": server, "data": data, "work": work}
    finally:
        as_postgres(BIN / "pg_ctl", "-D", data, "stop", "-m", "immediate", capture_output=True)
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def with_replica(replica_server, settings, monkeypatch):
    """The `replica` alias, to the standby, for this test (a process has it from
    ESCALADE_REPLICA_URL: settings.py). Made as Django makes a connection, outside
    settings.DATABASES, so that the test case's guard lets it connect."""
    from django.db.utils import load_backend

    settings.ESCALADE_REPLICA_MAX_LAG = 0.5
    settings.ESCALADE_REPLICA_CHECK_SECONDS = 0
    primary = connections.settings["default"]
    standby = {**primary, "HOST": "127.0.0.1", "PORT": str(replica_server["port"])}
    wrapper = load_backend(standby["ENGINE"]).DatabaseWrapper(standby, replica.ALIAS)
    setattr(connections._connections, replica.ALIAS, wrapper)
    monkeypatch.setattr(replica, "configured", lambda: True)
    replica.forget()
    yield replica_server
    wrapper.close()
    del connections[replica.ALIAS]
    replica.forget()


def on_replica(sql: str):
    with connections[replica.ALIAS].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def caught_up(seconds: float = 20) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (lsn,) = cursor.fetchone()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        (done,) = on_replica(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn")
        if done:
            return
        time.sleep(0.1)
    raise AssertionError("the replica did not catch up")


def heavy_list(institution, standby_up: bool = True) -> tuple[list[str], int, int]:
    """The incident list as the API reads it: (numbers, statements on the replica, on the
    primary)."""
    with (
        CaptureQueriesContext(
            connections[replica.ALIAS] if standby_up else connection
        ) as on_standby,
        CaptureQueriesContext(connection) as on_primary,
    ):
        page = paginate(
            Incident.objects.filter(institution=institution), PageQuery(limit=200), heavy=True
        )
    standby = len(on_standby) if standby_up else 0
    return [i.number for i in page["items"]], standby, len(on_primary)


def on_standby_alone(institution, seconds: float = 15) -> list[str]:
    """The list read on the replica alone, once it has caught up: another test writing
    to the primary at the same time (the suite runs on two workers) keeps WAL coming, so
    the replica may read as behind for a moment after it has replayed what we wrote."""
    deadline = time.monotonic() + seconds
    while True:
        numbers, standby, primary = heavy_list(institution)
        if standby >= 1 and primary == 0:
            return numbers
        assert time.monotonic() < deadline, (standby, primary)
        time.sleep(0.2)


def test_heavy_reads_go_to_the_replica_and_come_back_when_it_lags_or_stops(
    with_replica, cusm, staff, caplog
):
    from escalade.incidents.tests.factories import log

    first = log(staff["level1_agent"], cusm)
    caught_up()
    assert first.number in on_standby_alone(cusm)  # the list was read on the replica alone

    # the replica falls behind (its replay paused): the list is the primary's, up to date
    on_replica("SELECT pg_wal_replay_pause()")
    second = log(staff["level1_agent"], cusm)
    time.sleep(1.2)  # more than ESCALADE_REPLICA_MAX_LAG
    with caplog.at_level(logging.WARNING, logger="escalade.replica"):
        numbers, standby, primary = heavy_list(cusm)
    assert second.number in numbers and primary >= 1
    assert "behind the primary" in caplog.text
    on_replica("SELECT pg_wal_replay_resume()")
    caught_up()
    assert second.number in on_standby_alone(cusm)

    # writes never go to the replica, even for a row read from it
    with replica.heavy_reads():
        row = Incident.objects.get(pk=first.pk)
    assert row._state.db == replica.ALIAS
    row.summary = "Written on the primary"
    row.save(update_fields=["summary"])
    assert Incident.objects.get(pk=first.pk).summary == "Written on the primary"

    # the replica stops: the primary answers, and the log says why
    as_postgres(
        BIN / "pg_ctl", "-D", with_replica["data"], "stop", "-m", "fast", capture_output=True
    )
    with_replica["server"].wait(timeout=30)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="escalade.replica"):
        numbers, _standby, primary = heavy_list(cusm, standby_up=False)
    assert {first.number, second.number} <= set(numbers) and primary >= 1
    assert "not answering" in caplog.text


POOLED = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from escalade.core.models import Institution
from escalade.incidents.models import Incident
from escalade.incidents.tests.factories import log
cusm = Institution.objects.get(code="cusm")
agent = get_user_model().objects.get(username=sys.argv[1])
numbers = [log(agent, cusm, summary=f"Through PgBouncer {i}").number for i in range(30)]
read = [i.number for i in Incident.objects.filter(number__in=numbers).iterator(chunk_size=7)]
print(json.dumps({"port": connection.settings_dict["PORT"], "numbers": numbers, "read": read,
                  "prepare": settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]}))
"""


def test_the_intake_runs_through_pgbouncer_in_transaction_mode(staff):
    """ESCALADE_PG_POOLER=transaction: the intake's statements and a server-side-cursor
    read, in a process of its own, through a real PgBouncer pooling in transaction mode."""
    if not shutil.which("pgbouncer") and not Path("/usr/sbin/pgbouncer").exists():
        pytest.skip("Debian's pgbouncer is not installed (.ci/run installs it)")
    db = connection.settings_dict
    work = Path(tempfile.mkdtemp(prefix="escalade-pgbouncer-"))
    port = free_port()
    (work / "users.txt").write_text('"postgres" ""\n')
    (work / "pgbouncer.ini").write_text(
        textwrap.dedent(f"""
        [databases]
        * = host=127.0.0.1 port={db["PORT"] or 5432}
        [pgbouncer]
        listen_addr = 127.0.0.1
        listen_port = {port}
        unix_socket_dir =
        auth_type = trust
        auth_file = {work}/users.txt
        pool_mode = transaction
        default_pool_size = 3
        max_client_conn = 50
        ignore_startup_parameters = extra_float_digits,options
        """)
    )
    shutil.chown(work, "postgres", "postgres")
    bouncer = subprocess.Popen(
        ["runuser", "-u", "postgres", "--", shutil.which("pgbouncer") or "/usr/sbin/pgbouncer",
         str(work / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        ready(port)
        url = f"postgres://{db['USER'] or 'postgres'}@127.0.0.1:{port}/{db['NAME']}"
        env = {**os.environ, "DATABASE_URL": url, "ESCALADE_PG_POOLER": "transaction"}
        env["DJANGO_SETTINGS_MODULE"] = "escalade.config.settings"
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", POOLED, staff["level1_agent"].username],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )  # fmt: skip
            for _ in range(3)  # three processes sharing 3 server connections
        ]
        import json

        outs = []
        for run in runs:
            out, err = run.communicate(timeout=120)
            assert run.returncode == 0, err[-2000:]
            outs.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        bouncer.terminate()
        bouncer.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)
    numbers = [n for o in outs for n in o["numbers"]]
    assert all(str(o["port"]) == str(port) and o["prepare"] is None for o in outs)
    assert len(numbers) == len(set(numbers)) == 90  # each once, numbered once
    assert all(sorted(o["read"]) == sorted(o["numbers"]) for o in outs)
    assert Incident.objects.filter(number__in=numbers).count() == 90
