"""How the response clocks read on the incident's timeline."""

from django.utils.translation import gettext as _

from escalade.core import timeline
from escalade.core.choices import AuditAction

from .choices import ClockTarget


def _target(event) -> str:
    value = (event.data or {}).get("target", "")
    return str(ClockTarget(value).label) if value in ClockTarget.values else value


def register_all() -> None:
    timeline.register(
        AuditAction.CLOCK_PAUSED,
        lambda e: (
            _("%(target)s clock paused: a partner holds the incident.") % {"target": _target(e)}
        ),
    )
    timeline.register(
        AuditAction.CLOCK_RESUMED,
        lambda e: _("%(target)s clock running again.") % {"target": _target(e)},
    )
    timeline.register(
        AuditAction.CLOCK_WARNED,
        lambda e: (
            _("%(target)s: 75 %% of the time is gone; the holder and the lead were told.")
            % {"target": _target(e)}
        ),
    )
    timeline.register(
        AuditAction.CLOCK_BREACHED,
        lambda e: (
            _("%(target)s: the target is passed; the holder and the lead were told.")
            % {"target": _target(e)}
        ),
    )
