"""Names every part of the package shares."""

from __future__ import annotations

import datetime as dt

# How long the "it is back" information stays on the workstations after the return.
INFO_HOURS = 2
# How long before its review date a runbook's owners are reminded.
REVIEW_LEAD = dt.timedelta(days=14)
