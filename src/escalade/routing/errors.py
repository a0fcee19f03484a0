"""The codes of the routing chart's API errors (beside core.errors.Code)."""

from enum import StrEnum


class RoutingError(StrEnum):
    NO_CHART = "no_routing_chart"  # the institution's pack has no routing chart
