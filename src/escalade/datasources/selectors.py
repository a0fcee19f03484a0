"""Reads of the data sources shared by the pages and the API."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.accounts import rules as perms
from escalade.accounts.services import has_permission, require
from escalade.core.errors import NotFound

from . import rules, services
from .choices import ProposalState
from .models import ConformanceReport, DataSource, Mapping, ProposedImport, ProvincialCode


def _readable(user, institution, qs):
    """`qs` (of rows with an organisation) as `user` may read it: all of it for the desk's
    roles, the rows of their organisations for designated persons, else Forbidden."""
    if has_permission(user, perms.DATASOURCE_VIEW):
        require(user, perms.DATASOURCE_VIEW, institution)
        return qs
    mine = services.designated_organisation_ids(user, institution)
    if not mine:
        require(user, perms.DATASOURCE_VIEW, institution)  # raises Forbidden
    return qs.filter(organisation_id__in=mine)


def datasources(user, institution) -> QuerySet[DataSource]:
    """The institution's data sources with their counts of codes, for the desk; a
    designated person sees those of their organisations (the weekly e-mail's links)."""
    return (
        _readable(
            user, institution, DataSource.objects.filter(institution=institution, active=True)
        )
        .select_related("organisation", "trouble_incident")
        .annotate(
            codes=Count("mappings"),
            unmapped=Count("mappings", filter=Q(mappings__target="")),
        )
        .order_by("organisation__code", "code")  # an aggregate drops Meta.ordering
    )


def datasource(user, institution, code: str) -> DataSource:
    """One data source of the institution, or NotFound."""
    found = datasources(user, institution).filter(code=code).first()
    if found is None:
        raise NotFound(_("No data source %(code)s.") % {"code": code}, field="code")
    return found


def proposals(source: DataSource, pending_only: bool = False) -> QuerySet[ProposedImport]:
    """The worksheets received by mail for the source, newest first (no file bytes)."""
    qs = ProposedImport.objects.filter(datasource=source).defer("data").select_related("decided_by")
    return qs.filter(state=ProposalState.PROPOSED) if pending_only else qs


def proposal(source: DataSource, pk: int) -> ProposedImport:
    """One worksheet received by mail for the source, or NotFound."""
    found = ProposedImport.objects.filter(datasource=source, pk=pk).select_related(
        "datasource__institution", "datasource__organisation", "decided_by"
    )
    if not found:
        raise NotFound(_("No proposed worksheet %(id)s.") % {"id": pk}, field="proposal")
    return found[0]


def state(source: DataSource, now=None) -> str:
    """ok, silent, rejecting or never (no transmission reported yet)."""
    now = now or timezone.now()
    if source.last_transmission_at is None:
        return "never"
    if source.trouble == "rejections":
        return "rejecting"
    if source.trouble == "silence" or rules.silent(
        source.last_transmission_at, now, source.silence_minutes
    ):
        return "silent"
    return "ok"


def mappings(source: DataSource, unmapped_only: bool = False) -> QuerySet[Mapping]:
    """The source's local codes in the worksheet's order."""
    qs = Mapping.objects.filter(datasource=source).order_by("position", "id")
    return qs.filter(target="") if unmapped_only else qs


def rows(source: DataSource) -> list[rules.Row]:
    """The worksheet's rows of the source."""
    return [
        rules.Row(
            system=m.system,
            local_code=m.local_code,
            local_display=m.local_display,
            target=m.target,
            target_display=m.target_display,
            first_seen=m.first_seen,
            validated_by=m.validated_by,
            highlighted=m.added_locally,
        )
        for m in mappings(source)
    ]


def provincial_codes(institution, q: str = "", limit: int = 50) -> QuerySet[ProvincialCode]:
    """The provincial codes matching `q` (code or words of the description)."""
    qs = ProvincialCode.objects.filter(institution=institution)
    for word in q.split():
        qs = qs.filter(Q(code__icontains=word) | Q(display__icontains=word))
    return qs.order_by("code")[:limit]


def conceptmap(source: DataSource) -> dict:
    """The source's mappings as a FHIR R4 ConceptMap."""
    target = (source.institution.settings or {}).get("datasources", {}).get("target_system", "")
    return rules.conceptmap(
        f"{source.code} mappings",
        f"{settings.ESCALADE_BASE_URL}/api/datasources/{source.code}/conceptmap",
        target or "urn:provincial",
        rows(source),
    )


def reports(user, institution) -> QuerySet[ConformanceReport]:
    """The conformance reports (what the desk may know of them), newest first; a
    designated person's list is the reports of their organisations."""
    return _readable(
        user, institution, ConformanceReport.objects.filter(institution=institution)
    ).select_related("organisation", "incident")


def report(user, institution, pk: int) -> ConformanceReport:
    """One report: for the desk's roles, and for the organisation's designated persons."""
    found = (
        ConformanceReport.objects.filter(institution=institution, pk=pk)
        .select_related("organisation__institution", "incident")
        .first()
    )
    if found is None:
        raise NotFound(_("No conformance report #%(id)s.") % {"id": pk}, field="id")
    if not services.designated(user, found.organisation):
        require(user, perms.DATASOURCE_VIEW, institution)
    return found
