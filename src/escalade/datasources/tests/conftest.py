"""Fixtures of the data sources' tests: the ontario-viewer desk, a designated person,
an HL7 report carrying a marker that must never leak."""

import pytest

MARKER = "TREMBLAY-JEANNE-PHI-9d41"

REPORT = (
    "MSH|^~\\&|CDR|ONTARIO|LIS|NORD|20261130080000||ACK^R01|ACK0001|P|2.5\r"
    f"MSA|AE|NORDLAB000123|Patient {MARKER}: unmapped code GLU-X\r"
    f"ERR|||207^Application internal error^HL70357|E||||Code GLU-X for {MARKER} is not mapped\r"
    "MSH|^~\\&|CDR|ONTARIO|LIS|NORD|20261130080100||ACK^R01|ACK0002|P|2.5\r"
    "MSA|AA|NORDLAB000124\r"
    "MSH|^~\\&|CDR|ONTARIO|LIS|NORD|20261130080200||ACK^R01|ACK0003|P|2.5\r"
    f"MSA|AR|NORDLAB000125|Rejected: {MARKER} birth date missing\r"
).encode()


@pytest.fixture
def designate(ontario, make_user):
    """Nadia Roy, the North Regional Hospital's person designated for personal health
    information (organisations.yaml), as a user: a clinical coordinator."""
    return make_user(
        "clinical_coordinator", [ontario], username="n.roy", email="N.Roy@hopital-nord.example.org"
    )


@pytest.fixture
def report_bytes():
    return REPORT
