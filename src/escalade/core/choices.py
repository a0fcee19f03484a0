"""Choices of the shared kernel."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """What an audit event records. The incident timeline is read from these."""

    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    CLASSIFIED = "classified", _("classified")
    RECLASSIFIED = "reclassified", _("reclassified")
    ESCALATED = "escalated", _("escalated")
    ASSIGNED = "assigned", _("assigned")
    TICKET_OPENED = "ticket_opened", _("formal ticket opened")
    SHEET_RECORDED = "sheet_recorded", _("recorded on the technical sheet")
    PRIORITY_CHANGED = "priority_changed", _("priority re-evaluated")
    NOTE_ADDED = "note_added", _("note added")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    REOPENED = "reopened", _("reopened")
    STARTED = "started", _("taken in charge")
    PACK_LOADED = "pack_loaded", _("pack loaded")
    PHI_VIEWED = "phi_viewed", _("personal health information viewed")
    CONFIRMED = "confirmed", _("confirmed")
    PUBLISHED = "published", _("published")
    URGENT_OVERRIDE = "urgent_override", _("published late as urgent")
    LINKED = "linked", _("linked")
    UNLINKED = "unlinked", _("unlinked")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    DECIDED = "decided", _("renewal decided")
    PATIENT_SAFETY = "patient_safety", _("patient safety flagged")
    NOTIFIED = "notified", _("people told")
    CONTACT_CHANGED = "contact_changed", _("contact changed")
    WINDOW_MARK = "window_mark", _("troubleshooting window reached")
    STEP_MARKED = "step_marked", _("protocol step marked")
    TASK_DONE = "task_done", _("follow-up task done")
    PROBLEM_CHANGED = "problem_changed", _("causes or workaround written")
    MERGED = "merged", _("problems merged")
    MEASURE_ADDED = "measure_added", _("corrective measure added")
    MEASURE_DONE = "measure_done", _("corrective measure done")
    REPORT_WRITTEN = "report_written", _("major-incident report written")
    DECLARATION_FILED = "declaration_filed", _("incident declaration filed")
    PERIOD_REPORT_SENT = "period_report_sent", _("period report sent")
    NOTICE_UPDATED = "notice_updated", _("notice updated")
    TERM_CHANGED = "term_changed", _("licence term changed")
