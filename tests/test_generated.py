"""What is generated from the code and committed stays true to it: the OpenAPI schema,
the migrations (and the schema they make is the one the tests run on), and the
documentation site (built strictly: a broken link or a page
left out of the navigation fails). They run as tests, in both passes and spread over
the workers, instead of three more processes before the suite."""

import io
import json
import os
import pprint
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command

from conftest import ROOT, migrate_database, pg_admin, url_with_database


def test_the_committed_openapi_schema_is_the_api_s():
    out = io.StringIO()
    call_command("export_openapi", stdout=out)
    committed = (ROOT / "openapi" / "schema.json").read_text()
    assert json.loads(out.getvalue()) == json.loads(committed), (
        "openapi/schema.json is stale: run 'make schema'"
    )
    assert out.getvalue().strip() == committed.strip(), "run 'make schema' (its layout)"


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"a model changed without its migration (makemigrations):\n{out.getvalue()}")


# names the database or Django makes up (SQLite numbers foreign keys and unnamed checks;
# PostgreSQL names a UNIQUE written in CREATE TABLE <table>_<column>_key where Django's
# ALTER names it with a hash): such a constraint is compared by what it is, not its name
MADE_UP_NAME = re.compile(r"__unnamed_constraint_\d+__|fk_\d+|\w+(_key|_pkey|_uniq|_like)")
# Django's own: its migrations give auth's many-to-many tables a bigint id (the project's
# DEFAULT_AUTO_FIELD), its models an integer (auth's AppConfig); not this project's to mend
DJANGO_S_OWN = {
    (table, "id")
    for table in ("auth_group_permissions", "auth_user_groups", "auth_user_user_permissions")
}


def _schema(connection) -> dict:
    """Tables, their columns (type, null, default) and their constraints and indexes
    (columns, kind), as the database itself describes them."""
    introspection = connection.introspection
    schema = {}
    with connection.cursor() as cursor:
        for table in introspection.get_table_list(cursor):
            if table.type != "t":
                continue
            columns = {
                c.name: (
                    None if (table.name, c.name) in DJANGO_S_OWN else c.type_code,
                    c.null_ok,
                    c.default,
                    c.collation,
                )
                for c in introspection.get_table_description(cursor, table.name)
            }
            constraints = set()
            for name, c in introspection.get_constraints(cursor, table.name).items():
                kind = tuple(
                    (key, str(c.get(key)))
                    for key in (
                        "columns",
                        "primary_key",
                        "unique",
                        "foreign_key",
                        "check",
                        "index",
                        "type",
                    )
                )
                constraints.add(("" if MADE_UP_NAME.fullmatch(name) else name, kind))
            schema[table.name] = (columns, constraints)
        if "django_migrations" in schema:
            cursor.execute("SELECT app, name FROM django_migrations")
            schema["applied migrations"] = sorted(cursor.fetchall())
    return schema


@pytest.mark.django_db
def test_migrating_an_empty_database_makes_the_schema_the_tests_run_on(tmp_path):
    """The test database is made from the models, its migrations recorded as applied
    (conftest): `escalade migrate` on an empty database must give the same tables,
    columns, constraints, indexes and list of applied migrations."""
    from django.db import connections

    connection = connections["default"]
    url = os.environ.get("DATABASE_URL", "")
    if connection.vendor == "postgresql":
        name = f"escalade_migrated_{uuid.uuid4().hex[:8]}"
        with pg_admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = url_with_database(url, name)
    else:
        name = str(tmp_path / "migrated.sqlite3")
        url = f"sqlite:///{name}"
    # a second connection, to the migrated database, that the test guard lets through
    # (its alias names the allowed database; its feature probes run on the test's own)
    migrated = type(connection)({**connection.settings_dict, "NAME": name}, "default")
    try:
        migrate_database(url)
        by_migrations, by_models = _schema(migrated), _schema(connection)
    finally:
        migrated.close()
        if connection.vendor == "postgresql":
            with pg_admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert set(by_migrations) == set(by_models)
    assert by_migrations.pop("applied migrations") == by_models.pop("applied migrations")
    differences = {}
    for table, (columns, constraints) in by_models.items():
        migrated_columns, migrated_constraints = by_migrations[table]
        if columns != migrated_columns or constraints != migrated_constraints:
            differences[table] = {
                "columns by the models only": columns.items() - migrated_columns.items(),
                "columns by the migrations only": migrated_columns.items() - columns.items(),
                "by the models only": constraints - migrated_constraints,
                "by the migrations only": migrated_constraints - constraints,
            }
    assert not differences, pprint.pformat(differences, width=100)


def test_the_documentation_site_builds_strictly(tmp_path):
    mkdocs = Path(sys.executable).parent / "mkdocs"
    done = subprocess.run(
        [str(mkdocs), "build", "--strict", "--quiet", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "index.html").exists()
