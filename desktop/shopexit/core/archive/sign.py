"""Signing the archive: one PAdES signature (subfilter ETSI.CAdES.detached) over the whole file, made with
pyHanko.

The key is the vault's own ECDSA P-256 signer (see `keys.py`) or, when the user asks, their own certificate
from a PKCS#12 file. The signature is a *certification* signature that allows no changes: a viewer then flags
anything added later, and `verify` refuses it. The signer's chain (signer and root) travels inside the
signature, so a recipient needs nothing but the file — and, to decide whether to trust it, the root's
fingerprint printed on the cover.

Signing happens in place on the open temporary file: pyHanko appends the signature revision and hashes the
file in chunks, so nothing is held whole in memory and nothing is written anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from shopexit.core.archive.errors import ArchiveError
from shopexit.core.archive.keys import SigningMaterial, fingerprint_der

SIGNATURE_FIELD = "ShopexitArchiveSignature"
# Room for the CMS blob: two certificates and an ECDSA/RSA-4096 signature fit well within this.
SIGNATURE_SIZE = 16384


@dataclass(frozen=True)
class SignerIdentity:
    """Who signs, as the cover and the export result show it."""

    name: str
    signer_fingerprint: str
    root_fingerprint: str
    own_certificate: bool


@dataclass
class PreparedSigner:
    signer: Any  # pyhanko.sign.signers.SimpleSigner
    identity: SignerIdentity


def _common_name(cert: Any) -> str:
    try:
        return str(cert.subject.native.get("common_name") or cert.subject.human_friendly)
    except (ValueError, KeyError):  # pragma: no cover - a certificate with an unreadable subject
        return "unknown signer"


def _chain_root(cert: Any, others: list[Any]) -> Any:
    """Walk issuer links up through `others` as far as they go; the top is the root to trust.

    (Certificates here are asn1crypto's, which ships no type information.)"""
    current = cert
    seen = {current.sha256}
    while current.issuer != current.subject:
        parent = next((c for c in others if c.subject == current.issuer and c.sha256 not in seen), None)
        if parent is None:
            break
        seen.add(parent.sha256)
        current = parent
    return current


def vault_signer(material: SigningMaterial) -> PreparedSigner:
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signer_cert = next(iter(load_certs_from_pemder_data(material.signer_cert_pem.encode("ascii"))))
    root_cert = next(iter(load_certs_from_pemder_data(material.root_cert_pem.encode("ascii"))))
    key = load_private_key_from_pemder_data(material.signer_key_pem.encode("ascii"), passphrase=None)
    signer = signers.SimpleSigner(
        signing_cert=signer_cert, signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([root_cert]), embed_roots=True,
    )
    identity = SignerIdentity(
        _common_name(signer_cert), fingerprint_der(signer_cert.dump()), fingerprint_der(root_cert.dump()), False,
    )
    return PreparedSigner(signer, identity)


def p12_signer(path: Path, password: bytes | None) -> PreparedSigner:
    """The user's own certificate. ECDSA and RSA only: those are what every PDF verifier, poppler included,
    checks."""
    from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1, translate_pyca_cryptography_key_to_asn1
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot be read ({exc.strerror}).") from exc
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exc:
        raise ArchiveError(
            f"{Path(path).name}: not a PKCS#12 file, or the password is wrong (use --p12-password-file)."
        ) from exc
    if key is None or cert is None:
        raise ArchiveError(f"{Path(path).name}: holds no private key and certificate to sign with.")
    if not isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
        raise ArchiveError(f"{Path(path).name}: its key type cannot be checked by common PDF tools; use an ECDSA"
                           " or RSA certificate.")
    signing_cert = translate_pyca_cryptography_cert_to_asn1(cert)
    others = [translate_pyca_cryptography_cert_to_asn1(c) for c in extra]
    signer = signers.SimpleSigner(
        signing_cert=signing_cert, signing_key=translate_pyca_cryptography_key_to_asn1(key),
        cert_registry=SimpleCertificateStore.from_certs(others), embed_roots=True,
    )
    root = _chain_root(signing_cert, others)
    identity = SignerIdentity(
        _common_name(signing_cert), fingerprint_der(signing_cert.dump()), fingerprint_der(root.dump()), True,
    )
    return PreparedSigner(signer, identity)


def sign_in_place(
    stream: BinaryIO,
    prepared: PreparedSigner,
    *,
    add_revision_content: Callable[[Any], None],
    reason: str,
    location: str,
) -> None:
    """Add `add_revision_content(writer)`'s objects (the embedded files) and the signature in one revision.

    `stream` holds the rendered pages and must be open for reading and writing; it ends up as the signed file.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import MDPPerm

    stream.seek(0)
    writer = IncrementalPdfFileWriter(stream, strict=False)
    add_revision_content(writer)
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        certify=True,
        docmdp_permissions=MDPPerm.NO_CHANGES,
        reason=reason,
        location=location or None,
        name=prepared.identity.name,
    )
    pdf_signer = signers.PdfSigner(meta, signer=prepared.signer)
    pdf_signer.sign_pdf(writer, in_place=True, bytes_reserved=SIGNATURE_SIZE)
