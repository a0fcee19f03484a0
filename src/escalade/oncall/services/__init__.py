"""Every write of the on-call app, by sub-domain: the response clocks (clocks), the
leads' overrides of the rotations (rotations), paging until someone acknowledges
(paging), SMS through Kannel (sms), e-mail replies (mail), the silent units of an outage (units)."""

from .clocks import (  # noqa: F401
    CLOCK_FIELDS,
    check_clocks,
    incident_attached,
    incident_closed,
    incident_created,
    incident_detached,
    incident_escalated,
    incident_reclassified,
    incident_reopened,
    incident_reprioritized,
    incident_resolved,
    incident_responded,
)
from .common import _update  # noqa: F401
from .mail import mail_reply  # noqa: F401
from .paging import (  # noqa: F401
    ACK_SUBJECT,
    PAGED_SUBJECT,
    ack_token,
    acknowledge,
    major_classified,
    outage_activated,
    page_from_token,
    policy_of,
    run_step,
    safety_flagged,
    start_paging,
    troubleshooting_started,
    unit_policy,
)
from .rotations import add_override  # noqa: F401
from .sms import SMS_RETRIES, send_sms, sms_reply, sms_text  # noqa: F401
from .units import unit_confirmed, units_silent  # noqa: F401
