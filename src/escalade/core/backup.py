"""Backups of the whole product: the database (SQLite's online backup; pg_dump on
PostgreSQL) and the media files, in one .tar.gz with a manifest of what it holds, and
their restore. `escalade backup FILE`, `escalade restore FILE`."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.db import connection, connections

# What the manifest counts, to compare after a restore.
COUNTED = ["incidents.Incident", "core.AuditEvent", "notifications.OutgoingMail"]


class BackupError(Exception):
    pass


def _pg_url(conf: dict) -> tuple[str, dict]:
    user = quote(conf.get("USER") or "")
    host = conf.get("HOST") or "127.0.0.1"
    port = conf.get("PORT") or "5432"
    url = f"postgresql://{user + '@' if user else ''}{host}:{port}/{quote(conf['NAME'])}"
    env = {**os.environ}
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = conf["PASSWORD"]
    return url, env


def counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def backup(target: Path) -> dict:
    """Write the backup to `target` (.tar.gz); returns its manifest."""
    conf = connection.settings_dict
    manifest = {
        "format": 1,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "vendor": connection.vendor,
        "counts": counts(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        if connection.vendor == "sqlite":
            dump = Path(tmp) / "database.sqlite3"
            connection.ensure_connection()
            out = sqlite3.connect(dump)
            with out:
                connection.connection.backup(out)
            out.close()
        elif connection.vendor == "postgresql":
            dump = Path(tmp) / "database.pgdump"
            url, env = _pg_url(conf)
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", url], env)
        else:
            raise BackupError(f"no backup for {connection.vendor}")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            media = Path(getattr(settings, "MEDIA_ROOT", "") or "")
            if str(media) and media.is_dir():
                tar.add(media, arcname="media")
        partial.replace(target)  # a backup file is whole or absent
    return manifest


def restore(source: Path) -> dict:
    """Replace the database (and media) with the backup's; returns the manifest."""
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(source, "r:gz") as tar:
        tar.extractall(tmp, filter="data")
        manifest = json.loads((Path(tmp) / "manifest.json").read_text())
        if manifest.get("vendor") != connection.vendor:
            raise BackupError(
                f"this backup is of {manifest.get('vendor')}, the database is {connection.vendor}"
            )
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            src = sqlite3.connect(Path(tmp) / "database.sqlite3")
            with src:
                src.backup(connection.connection)
            src.close()
        else:
            connections.close_all()
            url, env = _pg_url(connection.settings_dict)
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    f"--dbname={url}",
                    str(Path(tmp) / "database.pgdump"),
                ],
                env,
            )
        media = Path(tmp) / "media"
        if media.is_dir() and getattr(settings, "MEDIA_ROOT", ""):
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return manifest
