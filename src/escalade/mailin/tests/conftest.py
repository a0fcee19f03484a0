"""Fixtures of the mailboxes' tests: a real Dovecot, the real gateway, messages."""

import email.utils
import socket
from email.message import EmailMessage

import pytest

from escalade.mailin.models import Mailbox

from . import servers

PASSWORD_ENV = "ESCALADE_TEST_IMAP_PASSWORD"


@pytest.fixture(scope="session")
def dovecot_server():
    if not servers.available():
        pytest.skip(servers.WHY_NOT)
    with servers.dovecot() as imap:
        yield imap


@pytest.fixture
def imap(dovecot_server):
    """The IMAP server, its folders empty."""
    dovecot_server.empty()
    yield dovecot_server


@pytest.fixture
def mailbox(cusm, imap, monkeypatch):
    """The pack's cct mailbox, read by IMAP from the test's Dovecot."""
    monkeypatch.setenv(PASSWORD_ENV, imap.password)
    Mailbox.objects.filter(institution=cusm, code="cct").update(
        imap_host=imap.host,
        imap_port=imap.port,
        imap_security="none",
        imap_user=imap.user,
        imap_password_env=PASSWORD_ENV,
    )
    return Mailbox.objects.select_related("institution").get(institution=cusm, code="cct")


def mail(
    subject="La caméra ne fonctionne plus",
    body="Bonjour,\n\nLa caméra de la salle 3 ne fonctionne plus.\n\nMerci\nMarie",
    sender="Marie Tremblay <marie.tremblay@hopital.example.org>",
    to="cct.telesante@cusm.example.org",
    html=None,
    attachments=(),
    msgid=None,
    **headers,
) -> bytes:
    """A message as a mail program writes it (UTF-8, RFC 2047 subjects)."""
    m = EmailMessage()
    m["From"] = sender
    m["To"] = to
    m["Subject"] = subject
    m["Date"] = email.utils.formatdate()
    m["Message-ID"] = msgid or email.utils.make_msgid(domain="hopital.example.org")
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    if html is not None and body is None:
        m.set_content(html, subtype="html")
    else:
        m.set_content(body)
        if html is not None:
            m.add_alternative(html, subtype="html")
    for filename, data, ctype in attachments:
        maintype, subtype = ctype.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return m.as_bytes()


@pytest.fixture
def make_mail():
    return mail


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
