"""Every write of the data sources (seed 002): the terminology (worksheets in and out,
mappings, FHIR ConceptMap), the sealed Weekly Conformance Errors reports, and the
transmissions' monitoring. Views, the API, the mailbox handlers and the tasks call these.

A conformance report's bytes, its file name and the errors found in it are sealed
(core/seal.py); nothing of them goes to a log line, an audit event, a notification, an
e-mail or an incident.

The package by sub-domain: terminology (worksheets, mappings, proposals by mail),
reports (the sealed conformance reports), organisation_incidents, transmissions."""

from .organisation_incidents import (  # noqa: F401
    _incident_on,
    _tell_specialists,
)
from .reports import (  # noqa: F401
    SEALED,
    _count_errors,
    _designates,
    _require_designated,
    _unrouted,
    designated,
    designated_organisation_ids,
    designated_users,
    move_error,
    open_report,
    receive_report,
    record_error,
    report_errors,
    reseal_all,
)
from .terminology import (  # noqa: F401
    CHUNK_ROWS,
    Change,
    _import_rows,
    _map,
    _read,
    _system,
    _target_display,
    changes,
    decide,
    import_conceptmap,
    import_worksheet,
    mapping_contacts,
    propose_worksheet,
    run_queued_import,
    set_mapping,
    upload_worksheet,
    worksheet_arrived,
)
from .transmissions import (  # noqa: F401
    HEARTBEAT_CLOCK_SKEW_MINUTES,
    _trouble_incident,
    check_silence,
    heartbeat,
    remind_unmapped,
)
