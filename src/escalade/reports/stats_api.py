"""GET /api/stats, /api/stats/export, /api/fiscal-periods."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from escalade.accounts import rules as perms
from escalade.accounts.services import resolve_institution
from escalade.core.errors import Code, Invalid, not_one_of
from escalade.core.fiscal import periods
from escalade.core.pagination import PageQuery, page_of, paginate
from escalade.core.schema import Day, one_of

from . import exports, stats
from .api import ERRORS
from .errors import ReportError

router = Router(tags=["statistics"])


class StatsQuery(Schema):
    institution: str | None = None
    period: str | None = Field(None, description="e.g. 2026-P05")
    from_: Day | None = Field(None, alias="from")
    to: Day | None = None
    site: str = ""
    symptom: str = ""
    group_by: one_of("site", "symptom", "level", "channel") | None = Field(
        None, description="how to group"
    )


def range_of(q: StatsQuery) -> stats.Range:
    if q.period:
        try:
            return stats.period_range(q.period)[0]
        except (ValueError, IndexError) as exc:
            raise Invalid(
                _("'%(value)s' is not a period (e.g. 2026-P05).") % {"value": q.period},
                field="period",
                code=ReportError.UNKNOWN_PERIOD,
            ) from exc
    if q.from_ and q.to:
        if q.to < q.from_:
            raise Invalid(
                _("The end must come after the start."), field="to", code=Code.END_BEFORE_START
            )
        return stats.Range(q.from_, q.to, "")
    raise Invalid(
        _("Give a period (e.g. 2026-P05) or from and to dates."),
        field="period",
        code=ReportError.PERIOD_REQUIRED,
    )


@router.get(
    "/stats", summary="Statistics of a period or a date range", response={200: dict, **ERRORS}
)
def get_stats(request, q: Query[StatsQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.VIEW_ALL)
    r = range_of(q)
    out = stats.figures(institution, r, q.site, q.symptom)
    if q.group_by:
        if wrong := not_one_of("group_by", q.group_by, list(stats.GROUP_BY)):
            raise Invalid(errors=wrong)
        out["groups"] = stats.grouped(institution, r, q.group_by, q.site, q.symptom)
    return out


class ExportQuery(StatsQuery):
    format: one_of("csv", "xlsx", "pdf") = Field("csv", description="the file")


@router.get(
    "/stats/export", summary="The statistics as CSV, XLSX or PDF", response={200: None, **ERRORS}
)
def export_stats(request, q: Query[ExportQuery]):
    institution = resolve_institution(request.auth, q.institution, need=perms.VIEW_ALL)
    makers = {
        "csv": (exports.to_csv, "text/csv; charset=utf-8"),
        "xlsx": (
            exports.to_xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "pdf": (exports.to_pdf, "application/pdf"),
    }
    if wrong := not_one_of("format", q.format, list(makers)):
        raise Invalid(errors=wrong)
    r = range_of(q)
    maker, content_type = makers[q.format]
    response = HttpResponse(
        maker(stats.figures(institution, r, q.site, q.symptom), institution),
        content_type=content_type,
    )
    name = r.label or f"{r.start}_{r.end}"
    response["Content-Disposition"] = f'attachment; filename="statistics-{name}.{q.format}"'
    return response


class PeriodOut(Schema):
    code: str
    start: dt.date
    end: dt.date
    generated: bool


@router.get(
    "/fiscal-periods",
    response={200: page_of(PeriodOut), **ERRORS},
    summary="The 13 periods of a fiscal year",
)
def fiscal_periods(request, year: int, page: Query[PageQuery]):
    if not 2000 <= year <= 2100:
        raise Invalid(_("A year between 2000 and 2100."), field="year", code=Code.OUT_OF_RANGE)
    return paginate(
        [
            {"code": p.code, "start": p.start, "end": p.end, "generated": p.generated}
            for p in periods(year)
        ],
        page,
    )
