"""What the reports read from packs: to whom institution.yaml sends them."""

from __future__ import annotations

from escalade.core import packs
from escalade.core.packs import Email


def register() -> None:
    # the supervisor who receives the period report (seed 001)
    packs.declare_setting("supervisor_email", Email, None, owner="reports")
    # who receives the weekly follow-up report of open major incidents
    packs.declare_setting("follow_up_report_to", list[Email], [], owner="reports")
