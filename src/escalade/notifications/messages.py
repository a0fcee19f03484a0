"""What each kind of notification says, with its parameters: in the application's list
(IN_APP where it differs: no address to act without signing in), in e-mails and pages
(MESSAGES); translated when shown, in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import Notification

# What each kind says, with its parameters; translated when shown.
MESSAGES = {
    "protocol_warn": _(
        "Session #%(session)s: %(minutes)s minutes of trouble. Tell the patient it will take longer (step 5); the requesting site's clinical contact: %(contact)s."
    ),
    "protocol_cancel": _(
        "Session #%(session)s: %(minutes)s minutes of trouble. Cancelling the session is recommended (step 6): confirm or continue; the requesting site's clinical contact: %(contact)s."
    ),
    "certificate_expires": _("Certificate %(subject)s expires on %(date)s."),
    "certificate_expired": _("Certificate %(subject)s expired on %(date)s: renew it."),
    "licence_ends": _("Licence %(product)s (%(holder)s) ends on %(date)s: decide on its renewal."),
    "licence_ended": _("Licence %(product)s (%(holder)s) ended on %(date)s."),
    "notice_published": _("Service notice: %(title)s"),
    "action_assigned": _("Action item for you (%(source)s): %(text)s, due %(due)s."),
    "action_due_soon": _("Action item due on %(due)s (%(source)s): %(text)s"),
    "action_overdue": _("Action item overdue since %(due)s (%(source)s): %(text)s"),
    "outage_back": _(
        "Monitoring says %(alert)s is resolved: start the return to normal of outage #%(outage)s?"
    ),
    "runbook_review_due": _("Runbook « %(title)s »: its review is due on %(date)s."),
    "runbook_review_asked": _("Runbook « %(title)s » needs review after outage #%(outage)s."),
    "notice_updated": _("Service notice updated: %(title)s"),
    "notice_resolved": _("Service notice resolved: %(title)s"),
    "notice_cancelled": _("Service notice cancelled: %(title)s"),
    "interruption_reported": _("%(organisation)s reports an interruption: %(systems)s."),
    "assigned": _("Incident %(number)s (P%(priority)s) is assigned to you: %(summary)s"),
    "requester_replied": _("The requester replied by e-mail on incident %(number)s: %(summary)s"),
    "escalated": _("Incident %(number)s escalated to level %(level)s: %(reason)s"),
    "protocol_started": _(
        "Session #%(session)s (%(site)s): troubleshooting has started. Join now (step 2)."
    ),
    "protocol_resolved": _("Session #%(session)s (%(site)s): the problem is solved (step 10)."),
    "session_cancelled": _(
        "Session #%(session)s (%(site)s) of %(when)s is cancelled (%(reason)s): %(tasks)s "
        "follow-up tasks, calling the patients at their appointment times (steps 7-9)."
    ),
    "conformance_report": _(
        "Weekly Conformance Errors report #%(id)s for %(organisation)s: it is yours to open."
    ),
    "worksheet_arrived": _(
        "%(source)s: the Codes on the Fly worksheet arrived, %(new)s new codes, %(changed)s mappings changed: review it and approve it."
    ),
    "patient_safety": _(
        "Possible impact on a patient's safety: incident %(number)s at %(site)s, %(summary)s. Prepare the incident declaration."
    ),
    "paged": _(
        "You are paged: incident %(number)s, %(summary)s. Acknowledge it so that the next "
        "person is not paged: %(ack)s"
    ),
    "unit_asked_degraded": _(
        "Outage #%(outage)s: confirm that %(unit)s has switched to the degraded (paper) "
        "procedure: %(link)s"
    ),
    "unit_asked_normal": _(
        "Outage #%(outage)s is over: confirm that %(unit)s is back to normal work: %(link)s"
    ),
    "unit_paged_degraded": _(
        "You are paged: %(unit)s has not confirmed it switched to the degraded (paper) "
        "procedure (outage #%(outage)s, %(title)s). Confirm it once it has: %(ack)s"
    ),
    "unit_paged_normal": _(
        "You are paged: %(unit)s has not confirmed it is back to normal work (outage "
        "#%(outage)s, %(title)s). Confirm it once it is: %(ack)s"
    ),
    "page_acknowledged": _("Incident %(number)s: %(who)s acknowledged the page and has it."),
    "clock_warning_first_response": _(
        "Incident %(number)s (%(summary)s): 75 %% of the time to answer it is gone."
    ),
    "clock_warning_resolution": _(
        "Incident %(number)s (%(summary)s): 75 %% of the time to resolve it is gone."
    ),
    "clock_breached_first_response": _(
        "Incident %(number)s (%(summary)s): the time to answer it is passed."
    ),
    "clock_breached_resolution": _(
        "Incident %(number)s (%(summary)s): the time to resolve it is passed."
    ),
    "patient_safety_confirmed": _(
        "A patient's safety was affected: incident %(number)s at %(site)s, %(summary)s. Prepare the incident declaration."
    ),
}


# What a kind says in the application's list when its e-mail or text message carries a
# link to act without signing in: the row itself links to the page where one acts, so
# the address (long, unbreakable, and not for sharing) is left out.
IN_APP = {
    "paged": _(
        "You are paged: incident %(number)s, %(summary)s. Acknowledge it so that the next "
        "person is not paged."
    ),
    "unit_asked_degraded": _(
        "Outage #%(outage)s: confirm that %(unit)s has switched to the degraded (paper) procedure."
    ),
    "unit_asked_normal": _(
        "Outage #%(outage)s is over: confirm that %(unit)s is back to normal work."
    ),
    "unit_paged_degraded": _(
        "You are paged: %(unit)s has not confirmed it switched to the degraded (paper) "
        "procedure (outage #%(outage)s, %(title)s). Confirm it once it has."
    ),
    "unit_paged_normal": _(
        "You are paged: %(unit)s has not confirmed it is back to normal work (outage "
        "#%(outage)s, %(title)s). Confirm it once it is."
    ),
}


def render(notification: Notification) -> str:
    """The notification's text in the reader's language, as the application lists it."""
    template = IN_APP.get(notification.kind) or MESSAGES.get(notification.kind)
    if template is None:
        return notification.kind
    try:
        return str(template) % _Params(notification.params or {})
    except (KeyError, TypeError, ValueError):
        return str(template)


class _Params(dict):
    """A notification's parameters; one its kind gained later reads as a dash in the rows
    written before (never the raw placeholder)."""

    def __missing__(self, key):
        return "—"
