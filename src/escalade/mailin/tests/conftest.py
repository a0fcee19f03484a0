"""Fixtures of the mailboxes' tests: a real Dovecot, the real gateway, messages."""

import socket

import pytest

from escalade.mailin.models import Mailbox

from . import servers
from .factories import mail

PASSWORD_ENV = "ESCALADE_TEST_IMAP_PASSWORD"


def _dovecot():
    """A throwaway Dovecot; the test is skipped where Dovecot is not installed."""
    if not servers.available():
        pytest.skip(servers.WHY_NOT)
    with servers.dovecot() as imap:
        yield imap


# one per worker, its folders emptied for each test (imap)
dovecot_server = pytest.fixture(scope="session")(_dovecot)
# one of the test's own, for a test that changes the server itself (its next UID)
own_dovecot = pytest.fixture(_dovecot)


@pytest.fixture
def imap(dovecot_server):
    """The IMAP server, its folders empty."""
    dovecot_server.empty()
    yield dovecot_server


@pytest.fixture
def mailbox(cusm, imap, monkeypatch):
    """The pack's cct mailbox, read by IMAP from the test's Dovecot."""
    return read_from(cusm, imap, monkeypatch)


def read_from(cusm, imap, monkeypatch) -> Mailbox:
    """The pack's cct mailbox, set to read by IMAP from this Dovecot."""
    monkeypatch.setenv(PASSWORD_ENV, imap.password)
    Mailbox.objects.filter(institution=cusm, code="cct").update(
        imap_host=imap.host,
        imap_port=imap.port,
        imap_security="none",
        imap_user=imap.user,
        imap_password_env=PASSWORD_ENV,
    )
    return Mailbox.objects.select_related("institution").get(institution=cusm, code="cct")


@pytest.fixture
def make_mail():
    return mail


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
