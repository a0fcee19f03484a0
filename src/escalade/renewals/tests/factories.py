"""Factories for the renewals: a certificate as a certificate authority signs it, and one
tracked through the service (renewals.services.add_certificate)."""

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from escalade.renewals import services


def make_cert(cn: str, not_after: dt.datetime):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_after - dt.timedelta(days=365))
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(cn)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM), key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def tracked_certificate(actor, institution, cn: str, not_after: dt.datetime, **kwargs):
    """A certificate ending at `not_after`, tracked for `institution` by `actor`."""
    pem, _key = make_cert(cn, not_after)
    return services.add_certificate(actor, institution, pem, **kwargs)
