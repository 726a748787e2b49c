"""The vault's own signing material: a local root certificate and a signing certificate under it.

Why a root *and* a signer: the recipient of an archive trusts one thing, the root (`shopexit cert --out
root.pem`), and its SHA-256 fingerprint is printed on every archive's cover. The signer is what actually signs;
keeping the two apart is the ordinary shape every PDF verifier understands (pdfsig, pyHanko, Acrobat).

Both keys are ECDSA P-256: poppler's pdfsig verifies it (it does not verify Ed25519). Both private keys are
kept as PEM inside the vault's `signing_keys` table (the root's, so a new signer can be issued under the same
trusted root one day), so they are encrypted with everything else and never touch the
disk in the clear. Only `cryptography` is imported here, so creating a vault stays quick.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shopexit.core import audit
from shopexit.core.timeutil import to_utc_iso

ROOT_YEARS = 30
SIGNER_YEARS = 25
# Document signing (1.3.6.1.4.1.311.10.3.12) is what PDF tools look for when an EKU is present at all.
_DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")


@dataclass(frozen=True)
class SigningMaterial:
    """PEM texts as kept in the vault."""

    root_cert_pem: str
    root_key_pem: str = field(repr=False)
    signer_cert_pem: str
    signer_key_pem: str = field(repr=False)

    @property
    def root_fingerprint(self) -> str:
        return fingerprint_pem(self.root_cert_pem)

    @property
    def signer_fingerprint(self) -> str:
        return fingerprint_pem(self.signer_cert_pem)


def fingerprint_der(der: bytes) -> str:
    """SHA-256 over the certificate's DER bytes, as `openssl x509 -fingerprint -sha256` prints it."""
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def fingerprint_pem(pem: str) -> str:
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    return fingerprint_der(cert.public_bytes(serialization.Encoding.DER))


def _shop_label(conn: Any) -> str:
    row = conn.execute("SELECT shop_name FROM shop WHERE id = 1").fetchone()
    name = (row[0] if row else "") or "shopexit"
    return name[:48]


def _make(shop: str, now: datetime) -> SigningMaterial:
    root_key = ec.generate_private_key(ec.SECP256R1())
    signer_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, f"{shop} archive root"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, shop),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "shopexit"),
    ])
    signer_name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, f"{shop} archive signer"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, shop),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "shopexit"),
    ])
    start = now - timedelta(days=1)  # a little slack for a recipient whose clock runs behind
    root_ski = x509.SubjectKeyIdentifier.from_public_key(root_key.public_key())
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * ROOT_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                          encipher_only=False, decipher_only=False),
            critical=True,
        )
        .add_extension(root_ski, critical=False)
        .sign(root_key, hashes.SHA256())
    )
    signer = (
        x509.CertificateBuilder()
        .subject_name(signer_name)
        .issuer_name(root_name)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * SIGNER_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([_DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                       critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    return SigningMaterial(
        root_cert_pem=root.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        root_key_pem=_key_pem(root_key),
        signer_cert_pem=signer.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        signer_key_pem=_key_pem(signer_key),
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    # Unencrypted PEM is right here: it only ever lives inside the encrypted vault.
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def load_signing_keys(conn: Any) -> SigningMaterial | None:
    rows = dict(
        (role, (cert, key)) for role, cert, key in conn.execute("SELECT role, cert_pem, key_pem FROM signing_keys")
    )
    if "root" not in rows or "signer" not in rows:
        return None
    return SigningMaterial(rows["root"][0], rows["root"][1], rows["signer"][0], rows["signer"][1])


def ensure_signing_keys(conn: Any) -> SigningMaterial:
    """The vault's signing material, made on first need. Call inside a write transaction (Vault.create does)."""
    existing = load_signing_keys(conn)
    if existing is not None:
        return existing
    now = datetime.now(UTC)
    material = _make(_shop_label(conn), now)
    stamp = to_utc_iso(now)
    conn.execute("DELETE FROM signing_keys")
    conn.execute("INSERT INTO signing_keys(role, cert_pem, key_pem, created_at) VALUES ('root', ?, ?, ?)",
                 (material.root_cert_pem, material.root_key_pem, stamp))
    conn.execute("INSERT INTO signing_keys(role, cert_pem, key_pem, created_at) VALUES ('signer', ?, ?, ?)",
                 (material.signer_cert_pem, material.signer_key_pem, stamp))
    audit.append(conn, "create", "signing_keys", "", root_sha256=material.root_fingerprint,
                 signer_sha256=material.signer_fingerprint)
    return material
