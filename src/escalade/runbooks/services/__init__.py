"""Outages run from runbooks (seed 004): activation with its major incident, checklist and
broadcasts; the degraded-mode registry; the return to normal with its end broadcasts,
return steps and reconciliation tasks; closing once nothing is left open.

The package by sub-domain: common, activation, registry, restore, alerts, units."""

from .activation import (  # noqa: F401
    _broadcast,
    _locked,
    _steps,
    activate,
    add_vendor_ref,
    announce_drill,
    drill_group,
    get_runbook,
    in_progress,
    log_access_code,
    mark_step,
)
from .alerts import (  # noqa: F401
    _alert_text,
    _check_alerts,
    _propose_return,
    _rule_for,
    queue_alerts,
    receive_alerts,
)
from .common import (  # noqa: F401
    INFO_HOURS,
    REVIEW_LEAD,
    broadcasts_changed,
)
from .registry import (  # noqa: F401
    _twin_entry,
    add_entry,
    show_outage,
)
from .restore import (  # noqa: F401
    _tell_owners,
    close,
    end_broadcasts,
    reconcile,
    remind_reviews,
    restore,
    work_left,
)
from .units import (  # noqa: F401
    ask_units,
    check_units,
    confirm_by_code,
    confirm_link,
    confirm_token,
    confirm_unit,
    from_token,
)
