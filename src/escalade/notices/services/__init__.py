"""Every write on notices: publish (with the five-business-day rule and the maintenance
windows), change, updates, resolution, links to incidents, organisations' own
interruptions; each in one transaction with its audit event, and announced to the
designated contacts of the affected organisations, each in their language.

The package by sub-domain: common, notices, announcing, interruptions."""

from .announcing import (  # noqa: F401
    SUBJECTS,
    announce,
    render_mail,
)
from .common import (  # noqa: F401
    TEXT_FIELDS,
)
from .interruptions import (  # noqa: F401
    acknowledge,
    feed_key,
    render_interruption,
    renew_feed_key,
    report_interruption,
)
from .notices import (  # noqa: F401
    _check_dates,
    _organisations,
    add_update,
    as_text,
    business_days,
    change,
    check_planned,
    link_incident,
    publish,
    when,
    window_names,
    windows_of,
)
