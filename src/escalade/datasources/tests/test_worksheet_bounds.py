"""Worksheets within bounds (issue 25, finding 3): a zip bomb is refused before it is
unpacked, a file of too many rows is refused, a NUL character or an oversized cell is a
JSON 422 naming the row and the column; nothing is written in any case."""

import io
import resource
import zipfile

import pytest
from openpyxl import Workbook

from escalade.datasources import rules
from escalade.datasources.models import Mapping

from .test_terminology import LAB, upload

pytestmark = pytest.mark.django_db


def _bomb(inflated_mb: int) -> bytes:
    """A real workbook whose sheet part is padded with zeros: small packed, huge unpacked."""
    book = Workbook()
    book.active.append(rules.COLUMNS)
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"</worksheet>", b"<!--" + b"0" * (inflated_mb << 20) + b"--></worksheet>"
                )
            dst.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()


def test_a_zip_bomb_is_refused_unread(ontario, desk):
    bomb = _bomb(120)
    assert len(bomb) < 1_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    r = upload(desk["level2_analyst"], bomb)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert r.status_code == 422, r.content
    assert "unpacks to 126 MB" in r.json()["errors"][0]["message"]
    assert grown_mb < 50  # the 120 MB part was never unpacked
    assert Mapping.objects.count() == 0


def _csv(rows: list[list[str]]) -> bytes:
    lines = [",".join(rules.COLUMNS)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def test_too_many_rows_are_refused(ontario, desk, settings):
    settings.ESCALADE_WORKSHEET_MAX_ROWS = 1000
    data = _csv([[LAB, f"C{i}", "x", "", "", "", ""] for i in range(1001)])
    r = upload(desk["level2_analyst"], data, "codes.csv")
    assert r.status_code == 422 and "more than 1000 rows" in r.json()["errors"][0]["message"]
    assert Mapping.objects.count() == 0


@pytest.mark.parametrize(
    ("cell", "said"),
    [
        ("GL\x00U", "row 3, column Local Code: a NUL character"),
        ("G" * 3_000_000, "row 3, column Local Code: 32767 characters, at most 60"),  # XLSX cap
    ],
)
def test_a_bad_cell_is_named_by_its_row_and_column(ontario, desk, cell, said):
    book = Workbook()
    book.active.append(rules.COLUMNS)
    book.active.append([LAB, "NA", "Sodium", "", "", "", ""])
    out = io.BytesIO()
    book.save(out)
    if "\x00" in cell:  # openpyxl refuses to write a NUL: a CSV carries it
        r = upload(
            desk["level2_analyst"],
            _csv([[LAB, "NA", "Sodium", "", "", "", ""], [LAB, cell, "", "", "", "", ""]]),
            "codes.csv",
        )
    else:
        book.active.append([LAB, cell, "", "", "", "", ""])
        out = io.BytesIO()
        book.save(out)
        r = upload(desk["level2_analyst"], out.getvalue())
    assert r.status_code == 422, r.content[:300]
    error = r.json()["errors"][0]
    assert error["field"] == "file" and said in error["message"]
    assert Mapping.objects.count() == 0


def test_a_huge_csv_field_is_a_422_too(ontario, desk):
    data = _csv([[LAB, "NA", "x" * 200_000, "", "", "", ""]])
    r = upload(desk["level2_analyst"], data, "codes.csv")
    assert r.status_code == 422 and "row 2" in r.json()["errors"][0]["message"]


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_a_large_upload_is_imported_by_a_worker_with_its_progress(ontario, desk, settings):
    """Issue 25, finding 3: a large CSV held a web worker until gunicorn killed it. Past
    ESCALADE_WORKSHEET_INLINE_ROWS the request answers 202 at once; a worker imports it in
    chunks, the progress on its page."""
    from django.test import Client

    from escalade.core import workers
    from escalade.datasources import services
    from escalade.datasources.models import ProposedImport

    settings.ESCALADE_WORKSHEET_INLINE_ROWS = 1000
    data = _csv([[LAB, f"Q{i:05}", f"Test {i}", "", "", "", ""] for i in range(2500)])
    r = upload(desk["level2_analyst"], data, "big.csv")
    assert r.status_code == 202, r.content[:300]
    job = r.json()
    assert (job["state"], job["rows"], job["done_rows"]) == ("queued", 2500, 0)
    assert Mapping.objects.count() == 0
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(desk["level2_analyst"])
    url = f"/datasources/nord-lab/proposals/{job['id']}/"
    assert "Being imported: 0 of 2500 rows." in page.get(url).content.decode()
    # as if a worker had died after its first chunk: the first 1,000 rows and the progress
    # committed together; the next run resumes after them
    first = ProposedImport.objects.get(pk=job["id"])
    rows = services._read(bytes(first.data), first.filename)
    services._import_rows(desk["level2_analyst"], first.datasource, rows[:1000])
    ProposedImport.objects.filter(pk=job["id"]).update(done_rows=1000, outcome={"new": 1000})
    assert "Being imported: 1000 of 2500 rows." in page.get(url).content.decode()
    workers.run_worker(batch=True, interval=0)
    done = ProposedImport.objects.get(pk=job["id"])
    assert (done.state, done.done_rows, done.outcome["new"]) == ("approved", 2500, 2500)
    assert Mapping.objects.count() == 2500
    assert "Imported: 2500 new codes" in page.get(url).content.decode()
    shown = upload(desk["level2_analyst"], data, "big.csv")  # the same again: nothing new
    workers.run_worker(batch=True, interval=0)
    assert ProposedImport.objects.get(pk=shown.json()["id"]).outcome["new"] == 0
