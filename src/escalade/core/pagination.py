"""Every list of the API answers pages of one shape:

    {"items": [...], "next": "eyJrIjpbNDJdfQ", "count": 1234, "count_exact": true}

`next` is an opaque cursor: pass it back as `?cursor=` for the page after (null on the
last page); `limit` sets the page's size (50, at most 200). Pages are keyset-ordered (the
rows after the last one seen, by an indexed order such as newest first), so page 10,000
costs what page 1 costs, and a row added meanwhile neither repeats nor skips one.

`count` is exact up to ESCALADE_COUNT_EXACT_BELOW (10,000) rows; past it, it is an
estimate (PostgreSQL's planner's, or the density of the newest rows: `_count`) and
`count_exact` is false (counting a million rows on every page would cost more than the
page itself). A list computed rather than stored (the next
occurrences of the maintenance windows) pages by position, with the same shape."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from functools import cache

from django.conf import settings
from django.db import connection, connections
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import create_model

from . import replica
from .errors import Code, Invalid

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class PageQuery(Schema):
    """The query parameters of every list: where to start, and how many."""

    cursor: str | None = Field(
        None, max_length=200, description="the `next` of the previous page; none: the first page"
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="rows in the page")


@cache
def page_of(item: type) -> type[Schema]:
    """The page schema of a list of `item` (one per item schema, named `<Item>Page`)."""
    name = item.__name__.removesuffix("Out") + "Page"
    return create_model(
        name,
        __base__=Schema,
        items=(list[item], ...),
        next=(str | None, Field(None, description="the cursor of the next page; null: the last")),
        count=(int, Field(..., description="rows in the whole list")),
        count_exact=(
            bool,
            Field(..., description="false: `count` is the database's estimate (a large list)"),
        ),
    )


def _encode(values: list) -> str:
    raw = json.dumps({"k": values}, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)["k"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise _bad_cursor() from exc
    if not isinstance(values, list):
        raise _bad_cursor()
    return values


def _bad_cursor() -> Invalid:
    return Invalid(
        _("This cursor is not one this list gave: start again without it."),
        field="cursor",
        code=Code.INVALID,
    )


def _after(qs: QuerySet, order: Sequence[str], values: list) -> Q:
    """The rows after `values` in `order` (each field ascending, or descending with -)."""
    if len(values) != len(order):
        raise _bad_cursor()
    model = qs.model
    typed = []
    for spec, value in zip(order, values, strict=True):
        field = model._meta.get_field(spec.lstrip("-").removesuffix("_id"))
        try:
            typed.append(None if value is None else field.to_python(value))
        except Exception as exc:  # noqa: BLE001 (any value the field refuses)
            raise _bad_cursor() from exc
    after = Q()
    for i, spec in enumerate(order):
        name = spec.lstrip("-")
        step = Q(**{f"{name}__{'lt' if spec.startswith('-') else 'gt'}": typed[i]})
        for j in range(i):
            step &= Q(**{order[j].lstrip("-"): typed[j]})
        after |= step
    return after


def _estimate(qs: QuerySet) -> int:
    """PostgreSQL's planner estimate of the rows of `qs` (one EXPLAIN, no row read)."""
    qs = qs.order_by()
    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cursor:  # where the list is read (the replica?)
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def _count(qs: QuerySet) -> tuple[int, bool]:
    """The rows of `qs`: exact up to the threshold, estimated above it. PostgreSQL's
    planner is asked first (no row read): a list it puts above the threshold is not
    counted at all (counting the matches of a broad search costs more than its page).
    Otherwise one statement reads at most threshold + 1 of the newest rows; when there
    are more, the estimate is their density over the ids, extended to the whole table
    (rows come in id order as time goes, so the newest rows are a fair sample)."""
    limit = settings.ESCALADE_COUNT_EXACT_BELOW
    if connection.vendor == "postgresql":
        estimate = _estimate(qs)
        if estimate > limit:
            return estimate, False
    newest = qs.order_by("-pk")[: limit + 1].aggregate(n=Count("pk"), top=Max("pk"), kth=Min("pk"))
    if newest["n"] <= limit:
        return newest["n"], True
    return _density(qs.model, newest["n"], newest["top"], newest["kth"]), False


def _density(model, n: int, top: int, kth: int) -> int:
    """The rows of a list whose newest `n` rows have ids from `kth` to `top`: their
    density over the ids, extended to the table's first id (never below the threshold)."""
    first = model._default_manager.aggregate(first=Min("pk"))["first"] or kth
    estimate = round(n * (top - first + 1) / (top - kth + 1))
    return max(settings.ESCALADE_COUNT_EXACT_BELOW + 1, estimate)


def _newest_first(source: QuerySet, order: Sequence[str]) -> bool:
    """A list newest first, as the incident list and its search are, of plain rows."""
    plain = not (source.query.annotations or source.query.distinct or source.query.extra)
    return plain and tuple(order) in (("-id",), ("-pk",)) and source.model._meta.pk.name == "id"


def _first_newest(source: QuerySet, limit: int) -> tuple[list, int, bool, bool]:
    """The first page of a list newest first, and its count, reading the list once: the
    ids of its newest threshold + 1 rows (exact count below, density estimate above),
    then the page's rows by their ids. A search's matches (a full-text index lookup, the
    costly part) are found once instead of once for the page and once for the count.
    PostgreSQL's planner is asked first: a list it puts above the threshold is not
    counted. Returns (rows, count, exact, more)."""
    threshold = settings.ESCALADE_COUNT_EXACT_BELOW
    if connection.vendor == "postgresql":
        estimate = _estimate(source)
        if estimate > threshold:
            rows = list(source.order_by("-pk")[: limit + 1])
            return rows[:limit], estimate, False, len(rows) > limit
    ids = list(source.order_by("-pk").values_list("pk", flat=True)[: threshold + 1])
    head = ids[: limit + 1]
    page = source.model._default_manager.filter(pk__in=head).order_by("-pk")
    page.query.select_related = source.query.select_related
    rows = list(page) if head else []
    if len(ids) <= threshold:
        return rows[:limit], len(ids), True, len(rows) > limit
    return rows[:limit], _density(source.model, len(ids), ids[0], ids[-1]), False, len(rows) > limit


def paginate(
    source: QuerySet | Sequence,
    query: PageQuery,
    *,
    order: Sequence[str] = ("-id",),
    serialize: Callable | None = None,
    prepare: Callable[[list], None] | None = None,
    heavy: bool = False,
) -> dict:
    """One page of `source`: a queryset (keyset-ordered by `order`, whose last field must
    be unique, such as the id) or a computed sequence (by position). `prepare(rows)` runs
    once on the page's rows (to fetch what they need in one query); `serialize(row)`
    makes each item. `heavy`: a large list, read from the read replica when there is a
    usable one (core/replica.py)."""
    if heavy:
        with replica.heavy_reads():
            return paginate(source, query, order=order, serialize=serialize, prepare=prepare)
    if isinstance(source, QuerySet) and not query.cursor and _newest_first(source, order):
        rows, count, exact, more = _first_newest(source, query.limit)
        last = rows[-1] if rows and more else None
        following = _encode([last.pk]) if last else None
    elif isinstance(source, QuerySet):
        qs = source.order_by(*order)
        if query.cursor:
            qs = qs.filter(_after(qs, order, _decode(query.cursor)))
        rows = list(qs[: query.limit + 1])
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        # a first page that holds the whole list is its own count
        count, exact = (len(rows), True) if not (more or query.cursor) else _count(source)
        last = rows[-1] if rows and more else None
        following = _encode([getattr(last, spec.lstrip("-")) for spec in order]) if last else None
    else:
        start = 0
        if query.cursor:
            values = _decode(query.cursor)
            if len(values) != 1 or not isinstance(values[0], int) or values[0] < 0:
                raise _bad_cursor()
            start = values[0]
        count, exact = len(source), True
        rows = list(source[start : start + query.limit])
        following = _encode([start + query.limit]) if start + query.limit < count else None
    if prepare is not None:
        prepare(rows)
    items = [serialize(r) for r in rows] if serialize else rows
    return {"items": items, "next": following, "count": count, "count_exact": exact}
