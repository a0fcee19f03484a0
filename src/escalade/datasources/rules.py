"""The data sources' rules, pure functions over rows and numbers (no database, no web):
the "Codes on the Fly" worksheet's layout read and written, the FHIR ConceptMap of a
source's mappings, HL7 v2 acknowledgments that reject a message, and when a source's
transmissions are in trouble, and how a rejected message moves on."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

import hl7

from escalade.core.transitions import Transitions

from .choices import ErrorState

# The worksheet as the province sends it: the mapped codes, then the new unmapped ones
# at the bottom; the organisation may add its own new codes, highlighted, below them.
COLUMNS = [
    "Code System",
    "Local Code",
    "Local Description",
    "Provincial Code",
    "Provincial Description",
    "First Seen",
    "Validated By",
]
HIGHLIGHT = "FFFF00"

# A rejected message of a conformance report: the organisation resubmits it, then the
# receiver accepts it; refused again (or accepted by mistake), it is open again.
ERROR = Transitions(
    {
        "resubmit": {ErrorState.OPEN: ErrorState.RESUBMITTED},
        "accept": {ErrorState.OPEN: ErrorState.DONE, ErrorState.RESUBMITTED: ErrorState.DONE},
        "reopen": {ErrorState.RESUBMITTED: ErrorState.OPEN, ErrorState.DONE: ErrorState.OPEN},
    }
)


class WorksheetError(ValueError):
    """The file is not a Codes on the Fly worksheet, or not one that can be taken: the
    reason, and the row (as the spreadsheet numbers it) and column when one is at fault."""

    def __init__(self, reason: str, row: int | None = None, column: str = ""):
        super().__init__(reason)
        self.reason, self.row, self.column = reason, row, column


@dataclass
class Row:
    system: str
    local_code: str
    local_display: str = ""
    target: str = ""
    target_display: str = ""
    first_seen: dt.date | None = None
    validated_by: str = ""
    highlighted: bool = False


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _header(cells: list[str]) -> dict[str, int]:
    names = [c.strip().lower() for c in cells]
    index = {}
    for column in COLUMNS:
        if column.lower() in names:
            index[column] = names.index(column.lower())
    for required in ("Local Code", "Provincial Code"):
        if required not in index:
            raise WorksheetError(f"no '{required}' column in the first row")
    return index


def _row(cells: list, index: dict[str, int], highlighted: bool) -> Row | None:
    def get(column):
        i = index.get(column)
        return cells[i] if i is not None and i < len(cells) else None

    code = _text(get("Local Code"))
    if not code:
        return None
    return Row(
        system=_text(get("Code System")),
        local_code=code,
        local_display=_text(get("Local Description")),
        target=_text(get("Provincial Code")),
        target_display=_text(get("Provincial Description")),
        first_seen=_date(get("First Seen")),
        validated_by=_text(get("Validated By")),
        highlighted=highlighted,
    )


@dataclass(frozen=True)
class Limits:
    """What a worksheet may be (settings give them): a province's has a few hundred rows."""

    rows: int = 10_000
    inflated_bytes: int = 50_000_000  # an XLSX is a zip: its size once unpacked
    # the longest text of each column (the database's)
    cells: tuple = (
        ("Code System", 100),
        ("Local Code", 60),
        ("Local Description", 300),
        ("Provincial Code", 60),
        ("Provincial Description", 300),
        ("Validated By", 200),
    )


def _check(cells: list, index: dict[str, int], n: int, limits: Limits) -> None:
    """A row's cells as the database can take them, or the row and column that cannot."""
    for column, longest in limits.cells:
        i = index.get(column)
        if i is None or i >= len(cells) or cells[i] is None:
            continue
        value = cells[i] if isinstance(cells[i], str) else str(cells[i])
        if "\x00" in value:
            raise WorksheetError("a NUL character", row=n, column=column)
        if len(value) > longest:
            raise WorksheetError(
                f"{len(value)} characters, at most {longest}", row=n, column=column
            )


def _inflated(data: bytes) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise WorksheetError("not a readable XLSX workbook (BadZipFile)") from exc


def read_worksheet(data: bytes, filename: str = "", limits: Limits = Limits()) -> list[Row]:
    """The rows of a worksheet (XLSX, or CSV with the same columns), within `limits`: the
    unpacked size of a workbook is checked before it is opened (a zip bomb is refused
    unread), rows are read one at a time and counted, each cell checked."""
    too_many = f"more than {limits.rows} rows"
    if data[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        size = _inflated(data)
        if size > limits.inflated_bytes:
            raise WorksheetError(
                f"it unpacks to {size / 1e6:.0f} MB, at most {limits.inflated_bytes / 1e6:.0f} MB"
            )
        # openpyxl loads when a workbook is read or written, not at every process's
        # start (98 ms of a 2 s start: docs/benchmarks.md)
        from openpyxl import load_workbook  # noqa: PLC0415

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            rows = sheet.iter_rows()
            first = next(rows, None)
        except Exception as exc:  # noqa: BLE001 - openpyxl's many ways to refuse a file
            raise WorksheetError(f"not a readable XLSX workbook ({type(exc).__name__})") from exc
        if first is None:
            raise WorksheetError("the sheet is empty")
        index = _header([_text(c.value) for c in first])
        out = []
        try:
            for n, cells in enumerate(rows, start=2):
                if n > limits.rows + 1:
                    raise WorksheetError(too_many)
                values = [c.value for c in cells]
                _check(values, index, n, limits)
                i = index["Local Code"]
                fill = getattr(cells[i], "fill", None) if i < len(cells) else None
                color = (fill.fgColor.rgb or "") if fill is not None and fill.fill_type else ""
                row = _row(values, index, str(color).upper().endswith(HIGHLIGHT))
                if row is not None:
                    out.append(row)
        except WorksheetError:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken sheet part
            raise WorksheetError(f"not a readable XLSX workbook ({type(exc).__name__})") from exc
        finally:
            book.close()
        return out
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        reader = csv.reader(io.StringIO(text))
        header = next(reader, None)
        if header is None:
            raise WorksheetError("the file is empty")
        index = _header(header)
        highlight = next((i for i, c in enumerate(header) if c.strip().lower() == "added"), None)
        out = []
        for n, cells in enumerate(reader, start=2):
            if n > limits.rows + 1:
                raise WorksheetError(too_many)
            _check(cells, index, n, limits)
            added = (
                highlight is not None
                and highlight < len(cells)
                and cells[highlight].strip().lower() in ("1", "yes", "oui", "x", "true")
            )
            row = _row(cells, index, added)
            if row is not None:
                out.append(row)
    except csv.Error as exc:
        raise WorksheetError(f"not a readable CSV file ({exc})", row=reader.line_num) from exc
    return out


def write_worksheet(rows: list[Row], title: str = "Codes on the Fly") -> bytes:
    """The worksheet in the province's layout: mapped first, then the unmapped, then the
    organisation's own new codes, highlighted."""
    from openpyxl import Workbook  # noqa: PLC0415 - as in read_worksheet
    from openpyxl.styles import Font, PatternFill  # noqa: PLC0415

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    fill = PatternFill(fill_type="solid", fgColor=HIGHLIGHT)
    ordered = (
        [r for r in rows if r.target and not r.highlighted]
        + [r for r in rows if not r.target and not r.highlighted]
        + [r for r in rows if r.highlighted]
    )
    for r in ordered:
        sheet.append(
            [
                r.system,
                r.local_code,
                r.local_display,
                r.target,
                r.target_display,
                r.first_seen.isoformat() if r.first_seen else "",
                r.validated_by,
            ]
        )
        if r.highlighted:
            for cell in sheet[sheet.max_row]:
                cell.fill = fill
    for column, width in zip("ABCDEFG", (24, 16, 40, 16, 40, 12, 24), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- FHIR ConceptMap (R4) -----------------------------------------------------------------

MAPPED = (
    "equivalent",
    "equal",
    "wider",
    "subsumes",
    "narrower",
    "specializes",
    "inexact",
    "relatedto",
)


def conceptmap(name: str, url: str, target_system: str, rows: list[Row]) -> dict:
    """The mappings as a FHIR R4 ConceptMap (a dict), one group per local code system;
    an unmapped code is an element whose target is `unmatched`."""
    groups: dict[str, list] = {}
    for r in rows:
        target = (
            {
                "code": r.target,
                "display": r.target_display or None,
                "equivalence": "equivalent",
                "comment": f"validated by {r.validated_by}" if r.validated_by else None,
            }
            if r.target
            else {"equivalence": "unmatched"}
        )
        element = {"code": r.local_code, "display": r.local_display or None, "target": [target]}
        groups.setdefault(r.system, []).append(_clean(element))
    return {
        "resourceType": "ConceptMap",
        "url": url,
        "name": re.sub(r"[^A-Za-z0-9_]", "_", name)[:200] or "Mappings",
        "status": "active",
        "group": [
            {"source": system or "urn:local", "target": target_system, "element": elements}
            for system, elements in groups.items()
        ],
    }


def _clean(value):
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def rows_from_conceptmap(resource: dict) -> list[Row]:
    """The mappings a ConceptMap holds (validated elsewhere with fhir.resources)."""
    out = []
    for group in resource.get("group") or []:
        system = group.get("source") or ""
        for element in group.get("element") or []:
            targets = [
                t
                for t in element.get("target") or []
                if t.get("equivalence") in MAPPED and t.get("code")
            ]
            first = targets[0] if targets else {}
            comment = first.get("comment") or ""
            out.append(
                Row(
                    system=system,
                    local_code=element.get("code") or "",
                    local_display=element.get("display") or "",
                    target=first.get("code") or "",
                    target_display=first.get("display") or "",
                    validated_by=comment[len("validated by ") :]
                    if comment.startswith("validated by ")
                    else "",
                )
            )
    return [r for r in out if r.local_code]


# -- HL7 v2 acknowledgments ---------------------------------------------------------------


@dataclass
class Rejected:
    control_id: str  # MSA-2: the control id of the message that was rejected
    code: str  # AE (error) or AR (reject)
    text: str  # MSA-3 and the ERR segments
    errors: list[str] = field(default_factory=list)


def rejected_messages(text: str) -> list[Rejected]:
    """The messages an HL7 v2 batch of acknowledgments rejects (MSA-1 AE or AR, with
    their ERR segments); [] when the text holds no HL7."""
    text = text.replace("\r\n", "\r").replace("\n", "\r")
    chunks = [c for c in re.split(r"(?=MSH\|)", text) if c.startswith("MSH|")]
    out = []
    for chunk in chunks:
        try:
            message = hl7.parse(chunk.strip("\r"))
        except Exception:  # noqa: BLE001 - a broken message among good ones is skipped
            continue
        try:
            msa = message.segment("MSA")
        except KeyError:
            continue
        code = str(msa(1))
        if code not in ("AE", "AR", "CE", "CR"):
            continue
        errors = []
        for segment in message:
            if str(segment(0)) == "ERR":
                errors.append("|".join(str(f) for f in segment[1:] if str(f)))
        out.append(Rejected(str(msa(2)), code, str(msa(3)) if len(msa) > 3 else "", errors))
    return out


# -- transmissions ------------------------------------------------------------------------


def rejection_rate(messages: int, rejected: int) -> float:
    """Rejected messages as a percentage of those sent (0 when none were)."""
    return 100.0 * rejected / messages if messages else 0.0


def silent(last: dt.datetime | None, now: dt.datetime, minutes: int) -> bool:
    """Whether a source has been silent longer than its limit (never heard: not yet)."""
    return last is not None and now - last > dt.timedelta(minutes=minutes)
