"""Every write of the mailboxes. A message received (by the IMAP collector or the mail
gateway) becomes a new incident, a reply on one, a handler's work, or a rejection kept
with its reason; acknowledgments and staff's notes go out in the incident's thread.

The message's Message-ID is its key: a message read twice (a crash between storing it
and moving it out of the folder) is taken once. Nothing of a message's text or
attachments goes to a log line.

The package by sub-domain: common, receiving, reading, sending, collector, retake."""

from .collector import (  # noqa: F401
    _CLASSES,
    Fetched,
    _claim,
    _connect,
    _lease,
    _move,
    _RawMessage,
    fetch,
    fetch_all,
    fetch_now,
)
from .common import (  # noqa: F401
    Refused,
)
from .reading import (  # noqa: F401
    download_attachment,
    read_thread,
    thread_panel,
)
from .receiving import (  # noqa: F401
    Person,
    _check_attachments,
    _held_reason,
    _keywords,
    _person,
    _reject,
    _row,
    _store_attachments,
    _take,
    _taken,
    _thread_of,
    _verdict,
    receive,
)
from .retake import (  # noqa: F401
    retake,
)
from .sending import (  # noqa: F401
    _acknowledge,
    _mailbox_of,
    _send,
    incident_merged,
    note_added,
)
