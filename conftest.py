"""Fixtures shared by every test: the demo packs loaded, one user per role, API clients.

The four shipped packs are loaded once per test session into the test database (each
test runs in a transaction rolled back at its end, so what it changes is gone for the
next); a test on a transactional database (a worker, a browser) has them too: its flush
is followed by a copy back of the snapshot taken after the first load (SQLite's backup
API; on PostgreSQL, tables copied in a schema of their own). A test that needs a pack
asks for its fixture (`cusm`, `ontario`) or calls `pack_institution(name)`; `load_pack`
itself answers at once for a pack already loaded (same digest)."""

import gc
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pytest

# The collector is off while pytest imports the tests and their libraries (a worker's
# collection: 4.3 s instead of 6.9 s); pytest_collection_finish freezes what was made and
# turns it on again, as config/startup.py does for Escalade's own processes.
gc.disable()

ROOT = Path(__file__).resolve().parent
CUSM_PACK = ROOT / "packs" / "cusm-telehealth"
# the shipped packs, in the order `make run` loads them (the first takes the calls)
SHIPPED = ["cusm-telehealth", "ciusss-emtl", "ontario-viewer", "ch-pau-imaging"]


_SNAPSHOT: dict = {}  # SQLite in memory: a copy of the database with the packs loaded
_MIGRATED: dict = {}  # SQLite: a file holding the database as migrated, before the packs
_SETTINGS_NAME: dict = {}  # each alias's database name in the settings, before the tests'


def _load_shipped() -> None:
    """The shipped packs in the test database: copied back from the snapshot taken after
    the first load (SQLite's backup API: milliseconds), else loaded again."""
    from django.db import connection

    from escalade.core.packs import load_pack

    if "sqlite" in _SNAPSHOT:
        connection.ensure_connection()
        _SNAPSHOT["sqlite"].backup(connection.connection)
        return
    if "postgresql" in _SNAPSHOT:
        _restore_postgresql(connection, _SNAPSHOT["postgresql"])
        return
    for name in SHIPPED:
        load_pack(ROOT / "packs" / name)


def _snapshot_postgresql(connection) -> dict | None:
    """PostgreSQL: a copy of every table with rows, in a schema of its own, taken once
    the packs are loaded; None when the role cannot copy them back with the foreign keys'
    triggers off (not a superuser): the packs are then loaded again."""
    qn = connection.ops.quote_name
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    copied = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("DROP SCHEMA IF EXISTS test_snapshot CASCADE")
        cursor.execute("CREATE SCHEMA test_snapshot")
        for table in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {qn(table)})")
            if not cursor.fetchone()[0]:
                continue
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                " AND table_schema = current_schema() AND is_generated = 'NEVER'"
                " ORDER BY ordinal_position",
                [table],
            )
            columns = ", ".join(qn(c) for (c,) in cursor.fetchall())
            cursor.execute(
                f"CREATE TABLE test_snapshot.{qn(table)} AS SELECT {columns} FROM {qn(table)}"
            )
            copied[table] = columns
    return {"tables": tables, "copied": copied}


def _restore_postgresql(connection, snapshot: dict) -> None:
    """Every Django table emptied and the snapshot copied back, the foreign keys'
    triggers off: milliseconds, where loading the four packs again takes seconds."""
    from django.db import transaction

    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table in snapshot["tables"]:  # empty after the flush, unless it did not run
            cursor.execute(f"DELETE FROM {qn(table)}")
        for table, columns in snapshot["copied"].items():
            cursor.execute(
                f"INSERT INTO {qn(table)} ({columns})"
                f" SELECT {columns} FROM test_snapshot.{qn(table)}"
            )


def _flush_by_deleting() -> None:
    """PostgreSQL with a snapshot: the flush that ends a transactional test deletes the
    rows, the foreign keys' triggers off (a superuser, as the snapshot needs), instead of
    truncating. TRUNCATE gives each of the ~150 tables new files: 0.44 s a flush, where
    deleting what a test left takes milliseconds. Sequences are not reset either way.

    Set on the class, not on the connection that made the snapshot: once Playwright's
    event loop runs in the test process, asgiref gives the main thread's code another
    connection object for the same database (its storage follows the loop's context),
    and the browser tests and every transactional test after them were flushed by
    TRUNCATE (0.4 to 0.5 s each)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        # (the flush runs its statements in one transaction: LOCAL ends with it)
        return ["SET LOCAL session_replication_role = replica"] + [
            f"DELETE FROM {self.quote_name(table)}" for table in tables
        ]

    DatabaseOperations.sql_flush = sql_flush


@contextmanager
def _post_migrate_muted():
    """The flush that ends a transactional test sends post_migrate, whose receivers make
    content types, permissions and the roles' groups again (0.25 s on PostgreSQL, 0.1 s
    on SQLite), all replaced at once by the snapshot copied back: muted for that flush."""
    from django.db.models.signals import post_migrate

    receivers = post_migrate.receivers
    post_migrate.receivers = []
    post_migrate.sender_receivers_cache.clear()
    try:
        yield
    finally:
        post_migrate.receivers = receivers
        post_migrate.sender_receivers_cache.clear()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """The test database is made from the models (Django's TEST MIGRATE False: a table
    per model in about a second, where applying the 129 migrations takes 18 s, most of it
    Django rendering model states), then every migration is recorded as applied, so that
    it is what `escalade migrate` leaves. tests/test_generated.py migrates an empty
    database and checks that it gets the same tables, columns, indexes and constraints."""
    from django.db import connections

    for alias in connections:
        connections[alias].settings_dict.setdefault("TEST", {})["MIGRATE"] = False
        _SETTINGS_NAME[alias] = connections[alias].settings_dict["NAME"]


def _record_migrations(connection) -> None:
    """Every migration recorded as applied, as `migrate` does (a squashed one as the
    ones it replaces, then itself)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    for migration, _backwards in executor.migration_plan(executor.loader.graph.leaf_nodes()):
        executor.record_migration(migration)
    executor.check_replacements()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """The test database, made and its migrations recorded, with the shipped packs loaded
    once."""
    import sqlite3

    from django.db import connection

    with django_db_blocker.unblock():
        if connection.settings_dict["NAME"] == _SETTINGS_NAME.get(connection.alias):
            # no test of this session asked for the database (pytest-django made none):
            # the connection still names the settings' own database, not the tests' to touch
            yield
            return
        _record_migrations(connection)
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            path = tmp_path_factory.mktemp("migrated") / "escalade.sqlite3"
            with sqlite3.connect(path) as copy:
                connection.connection.backup(copy)
            copy.close()
            _MIGRATED["sqlite"] = path
        elif connection.vendor == "postgresql":
            _MIGRATED["postgresql"] = _copy_postgresql(connection)
        _load_shipped()
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            snapshot = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(snapshot)
            _SNAPSHOT["sqlite"] = snapshot
        elif connection.vendor == "postgresql":
            snapshot = _snapshot_postgresql(connection)
            if snapshot is not None:
                _SNAPSHOT["postgresql"] = snapshot
                _flush_by_deleting()
    yield
    if connection.vendor == "postgresql":
        # a connection another thread left open (a live server's, a worker's run in the
        # test process) would stop pytest-django from dropping the test database
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        if "postgresql" in _MIGRATED:
            with pg_admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{_MIGRATED["postgresql"]}" WITH (FORCE)')


def pg_admin():
    """A connection to the server's `postgres` database, with the test database's
    credentials (to make, copy or drop a whole database: tests/faults too)."""
    import psycopg
    from django.db import connection

    params = {
        k: v
        for k, v in connection.get_connection_params().items()
        if k in ("user", "password", "host", "port")
    }
    return psycopg.connect(dbname="postgres", autocommit=True, **params)


def url_with_database(url: str, name: str) -> str:
    """A DATABASE_URL naming another database on the same server (a scratch one)."""
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _copy_postgresql(connection) -> str:
    """A copy of the test database as migrated, before any pack (CREATE DATABASE ...
    TEMPLATE: a file copy, where migrating another database takes 18 s): the fault
    tests make their scratch databases from it."""
    source = connection.settings_dict["NAME"]
    name = f"{source}_migrated"
    connection.close()  # a template must have no session
    with pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    return name


@pytest.fixture(scope="session")
def migrated_sqlite(django_db_setup):
    """A file holding a SQLite database as migrated (no pack loaded), for tests whose
    processes need a database of their own (tests/faults): copied, not migrated again;
    None on PostgreSQL."""
    return _MIGRATED.get("sqlite")


@pytest.fixture(scope="session")
def migrated_postgresql(django_db_setup):
    """On PostgreSQL, the name of a database as migrated (no pack loaded), to be used as
    a template (tests/faults); None on SQLite."""
    return _MIGRATED.get("postgresql")


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args[:1] == (True,))):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


# SQLite in memory: the live server's threads and the test share one connection object
# (its transaction state included). Its requests run one at a time, and a test's end
# waits for the one in progress and keeps the next out until the tables are refilled:
# two at once (a page's panels loading together, or a request still running as the
# flush begins) left the connection in a broken transaction, and every later sign-in on
# that worker failed.
_SHARED_CONNECTION = threading.Lock()
_HELD_FOR_TEARDOWN = threading.Event()


@contextmanager
def live_server_held():
    """Keep the live server's requests out while the test itself writes (on SQLite in
    memory they share its connection; on PostgreSQL this only waits for the one in
    progress)."""
    with _SHARED_CONNECTION:
        yield


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started once the test database exists (else, first
    in a session, it missed that the database is in memory and its threads opened
    connections of their own to the shared cache: "database table is locked"); on SQLite
    in memory, one request at a time."""
    if live_server.thread.connections_override:
        httpd = live_server.thread.httpd
        app = httpd.get_app()

        def one_at_a_time(environ, start_response):
            with _SHARED_CONNECTION:
                return app(environ, start_response)

        httpd.set_app(one_at_a_time)
    return live_server


@pytest.fixture(autouse=True)
def _live_server_quiet_at_teardown(request):
    """After the browser has closed (its fixture ends first), wait for the request in
    progress and hold the others until the tables are refilled (pytest_runtest_teardown)."""
    yield
    if "live_server" in request.fixturenames:
        if not _SHARED_CONNECTION.acquire(timeout=120):
            pytest.fail("a request to the live server was still running 120 s after its test")
        _HELD_FOR_TEARDOWN.set()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by emptying every table: load the packs again, so that
    the next test finds them as every other test does."""
    used = "_django_db_marker" in getattr(item, "funcargs", {})
    refill = nextitem is not None and used and _transactional(item)
    try:
        with _post_migrate_muted() if refill and _SNAPSHOT else nullcontext():
            yield
        # (after the last, the database is gone; a test skipped before its database was
        # set up emptied nothing)
        if refill:
            from pytest_django.plugin import blocking_manager_key

            with item.config.stash[blocking_manager_key].unblock():
                _load_shipped()
    finally:
        if _HELD_FOR_TEARDOWN.is_set():
            _HELD_FOR_TEARDOWN.clear()
            _SHARED_CONNECTION.release()


ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")


def migrate_database(url: str) -> None:
    """`escalade migrate` of the database at `url`, in a process of its own (a fault
    tests' template; the migrations' schema test)."""
    env = {**os.environ, "DATABASE_URL": url, "ESCALADE_LOG_LEVEL": "ERROR"}
    subprocess.run(
        [sys.executable, "-m", "escalade.cli", "migrate", "-v0", "--noinput"],
        env=env,
        check=True,
        cwd=ROOT,
        timeout=600,
    )


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory, migrated_sqlite, migrated_postgresql):
    if ON_POSTGRESQL and migrated_postgresql is not None:  # the test session's, as migrated
        yield migrated_postgresql
    elif ON_POSTGRESQL:  # a session with no other database test (the restart tests alone)
        base = os.environ["DATABASE_URL"]
        name = f"escalade_faults_tpl_{uuid.uuid4().hex[:8]}"
        with pg_admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        migrate_database(url_with_database(base, name))
        yield name
        with pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    elif migrated_sqlite is not None:  # the test session's own, as migrated: a copy
        yield migrated_sqlite
    else:
        path = tmp_path_factory.mktemp("faults") / "template.sqlite3"
        migrate_database(f"sqlite:///{path}")
        yield path


@pytest.fixture
def scratch_db(_template_db, tmp_path):
    """The DATABASE_URL of a fresh database as migrated (no pack loaded), for the
    processes a test starts (tests/faults, the directory demo): a copy of the SQLite file
    the session migrated, or a PostgreSQL database made from its migrated template."""
    if ON_POSTGRESQL:
        base = os.environ["DATABASE_URL"]
        name = f"escalade_faults_{uuid.uuid4().hex[:8]}"
        with pg_admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_template_db}"')
        yield url_with_database(base, name)
        for _ in range(20):  # the server may be restarting after a test's restart
            try:
                with pg_admin() as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except Exception:  # noqa: BLE001
                time.sleep(1)
    else:
        path = tmp_path / "escalade.sqlite3"
        shutil.copy(_template_db, path)
        yield f"sqlite:///{path}"


def pack_institution(name: str):
    """The institution of a shipped pack (loaded for the session)."""
    from escalade.core.packs import load_pack

    return load_pack(ROOT / "packs" / name).institution


@pytest.fixture
def cusm(db):
    return pack_institution("cusm-telehealth")


@pytest.fixture
def ontario(db):
    """The provincial viewer's desk (seed 002): organisations, contacts, Sunday window."""
    return pack_institution("ontario-viewer")


@pytest.fixture
def desk(ontario, make_user):
    """Users of the ontario-viewer desk by role, each with an e-mail address."""
    return {
        role: make_user(role, [ontario], username=f"on-{role}", email=f"{role}@desk.example.org")
        for role in ("level2_analyst", "level1_agent", "manager", "requester", "it_technician")
    }


@pytest.fixture
def make_user(db):
    from escalade.accounts.services import create_user

    counter = {"n": 0}

    def make(role, institutions, username=None, **fields):
        counter["n"] += 1
        name = username or f"{role}-{counter['n']}"
        return create_user(
            name, password="pw-Escalade-1", roles=[role], institutions=institutions, **fields
        )

    return make


@pytest.fixture
def staff(cusm, make_user):
    """One user of each role in the cusm institution, by role code."""
    from escalade.accounts.choices import Role

    return {role.value: make_user(role.value, [cusm], username=role.value) for role in Role}


@pytest.fixture
def team(cusm, make_user):
    """One user of each role in the cusm institution, each with an e-mail address
    (role@cct.example.org), named t-<role>: for what people are told."""
    from escalade.accounts.choices import Role

    return {
        role: make_user(role, [cusm], username=f"t-{role}", email=f"{role}@cct.example.org")
        for role in Role.values
    }


@pytest.fixture
def api(staff):
    """A JSON client authenticated with a bearer token: api('level1_agent').post(...)."""
    from django.test import Client

    from escalade.accounts.services import create_api_token

    class Api:
        def __init__(self, user):
            self.client = Client(
                HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE="en"
            )

        def get(self, path, **params):
            return self.client.get(path, params)

        def post(self, path, body=None, **extra):
            return self.client.post(path, body or {}, content_type="application/json", **extra)

    return lambda role: Api(staff[role])


def incident_body(**overrides):
    body = {
        "channel": "phone",
        "requester": {
            "name": "Dre Gagnon",
            "role": "clinician",
            "site": "Hôpital de Montréal pour enfants",
            "phone": "514-412-4400 poste 23456",
        },
        "symptom": "sound_simple",
        "summary": "No sound at the remote site",
        "description": "The mute key was on.",
        "resolved_on_first_call": False,
    }
    body.update(overrides)
    return body


@pytest.fixture
def body():
    return incident_body


@pytest.fixture(scope="session", autouse=True)
def _static_files_looked_up_per_request():
    """WhiteNoise reads its whole table of static files (stat, type, headers of some
    600 files) each time a handler is built, and the test client builds one per client:
    tests have it look each file up when asked for (its autorefresh mode, same answers)."""
    from django.conf import settings

    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing with PBKDF2 costs ~0.3 s a user: tests use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def both_sql(settings):
    """Run a call through an app's hand-written SQL, then through its ORM twin
    (ESCALADE_RAW_SQL=0): both_sql(call) -> (raw answer, ORM answer)."""

    def run(call):
        settings.ESCALADE_RAW_SQL = True
        raw = call()
        settings.ESCALADE_RAW_SQL = False
        try:
            return raw, call()
        finally:
            settings.ESCALADE_RAW_SQL = True

    return run


@pytest.fixture(scope="session")
def oidc_provider_key():
    """The test OpenID provider's signing key (the tests forge tokens with it too)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def oidc_provider_server(tmp_path_factory, oidc_provider_key):
    """A real OpenID provider (django-oauth-toolkit) in a second process, for this
    session: escalade.accounts.tests.oidc_provider."""
    from escalade.accounts.tests import oidc_provider

    server = oidc_provider.start(
        tmp_path_factory.mktemp("provider"),
        oidc_provider.demo_config(oidc_provider.pem(oidc_provider_key)),
    )
    yield server
    server.stop()


def pytest_collection_finish(session):
    """The tests are imported: what that made is frozen, the collector is on again."""
    gc.freeze()
    gc.enable()


# The tests that take seconds each (real processes, a browser, thousands of requests),
# longest first. They wait on real time too (leases, polls, an idle sign-out): each
# worker should have its share of them, so that one's waits are the others' CPU.
FIRST = [
    "tests/faults/",
    "tests/test_demo_directory.py",
    "tests/test_generated.py",
    "tests/e2e/",
    "tests/test_schemathesis.py",
    "tests/test_role_matrix.py",
    "tests/test_deploy.py",
]


def _dealt(items: list, workers: int) -> list:
    """The items in the order pytest-xdist's worksteal cuts into `workers` runs of
    consecutive tests (the first gets len // workers, the next len(rest) // (workers - 1),
    ...): each run begins with its share of the long tests, dealt round-robin in their
    order, then its share of the others. A worker that runs dry steals from another's
    tail: short tests."""
    long = [i for i in items if _rank(i) < len(FIRST)]
    short = [i for i in items if _rank(i) == len(FIRST)]
    order, left = [], len(items)
    for w in range(workers):
        size = left // (workers - w)
        left -= size
        mine = long[w::workers]
        if len(mine) > size:  # mostly long tests: as they were
            return items
        order += mine + short[: size - len(mine)]
        short = short[size - len(mine) :]
    return order


def _rank(item) -> int:
    path = item.nodeid
    return next((i for i, prefix in enumerate(FIRST) if path.startswith(prefix)), len(FIRST))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """After pytest-django's own ordering: the longest tests first (FIRST), the others in
    the order they had; on several workers, each worker's run starts with its share."""
    items.sort(key=_rank)
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    if workers > 1:
        items[:] = _dealt(items, workers)
