"""Every write on telehealth sessions and the live troubleshooting protocol.

The package by sub-domain: common, sessions, protocol, cancellation."""

from .cancellation import (  # noqa: F401
    cancel_session,
    complete_task,
    record_patient_access,
)
from .common import (  # noqa: F401
    ADD,
    CANCEL,
    ELSEWHERE,
    TROUBLESHOOT,
    VIEW_PATIENT,
)
from .protocol import (  # noqa: F401
    EMAIL,
    _bump,
    _solve,
    _tell_roles,
    _tell_window,
    apply_mark,
    incident_resolved,
    mark_step,
    protocol_spec,
    resolve_protocol,
    start_troubleshooting,
)
from .retention import legal_hold, release_legal_hold  # noqa: F401
from .sessions import (  # noqa: F401
    CSV_COLUMNS,
    ImportResult,
    PatientInput,
    SessionInput,
    _create,
    _parse_dt,
    _validate,
    create_session,
    import_csv,
)
