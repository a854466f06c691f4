"""The certificate content credentials are signed with: the operator's (`settings.c2pa_cert` and `c2pa_key`), or a
local one made once in the data folder. A local certificate proves the file is unchanged since Clapboard signed it,
but no viewer trusts it: Content Credentials sites show its signer as unknown."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from campaign.errors import SigningFailed
from campaign.settings import Settings

log = logging.getLogger(__name__)

LOCAL_SIGNER = "Clapboard local signer"  # the common name of every local signing certificate
LOCAL_FOLDER = "c2pa"  # under the data folder: the chain (signer.pem) and its key (signer.key, owner-only)
CHAIN, KEY = "signer.pem", "signer.key"
LOCAL_YEARS = 10


@dataclass(frozen=True, repr=False)  # no repr: the key must never reach a log line
class Credential:
    """A PEM certificate chain (signing certificate first), its PEM private key and c2pa's name for the algorithm."""

    chain: bytes
    key: bytes
    alg: str  # "es256", "ps256", "ed25519"...


def credential(settings: Settings) -> Credential:
    """Blocking: the operator's certificate and key when set, else the local ones (made at the first call)."""
    if settings.c2pa_cert and settings.c2pa_key:
        return _read(settings.c2pa_cert, settings.c2pa_key, "the server's signing certificate and key")
    folder = settings.data_dir / LOCAL_FOLDER
    if not folder.is_dir():
        _make_local(folder)
    return _read(folder / CHAIN, folder / KEY, f"the local certificate in {LOCAL_FOLDER}/ of the data folder")


def _read(chain_path: Path, key_path: Path, named: str) -> Credential:
    try:
        chain, key = chain_path.read_bytes(), key_path.read_bytes()
        private = serialization.load_pem_private_key(key, password=None)
    except (OSError, ValueError, TypeError):  # the messages name no key bytes, but say nothing of them either
        log.error("content credentials: %s could not be read from %s and %s", named, chain_path, key_path)
        raise SigningFailed(
            f"Content credentials could not be signed: {named} could not be read (a PEM chain, and an unencrypted "
            "PEM private key).",
            hint="Check both files (the README's Content credentials says which), or unset them to sign with a "
            "local certificate.",
        ) from None
    return Credential(chain=chain, key=key, alg=_algorithm(private, named))


def _algorithm(private: object, named: str) -> str:
    """c2pa's name for what the key signs with (ECDSA curves by size, RSA as PSS, Ed25519)."""
    if isinstance(private, ec.EllipticCurvePrivateKey) and private.curve.key_size in (256, 384, 521):
        return {256: "es256", 384: "es384", 521: "es512"}[private.curve.key_size]
    if isinstance(private, rsa.RSAPrivateKey):
        return "ps256"
    if isinstance(private, ed25519.Ed25519PrivateKey):
        return "ed25519"
    raise SigningFailed(
        f"Content credentials could not be signed: the key of {named} is of a kind C2PA does not sign with.",
        hint="Use an ECDSA (P-256, P-384, P-521), RSA or Ed25519 key.",
    )


def _make_local(folder: Path) -> None:
    """A local root and a signing certificate it issued (the profile c2pa checks: a P-256 key, digitalSignature,
    the emailProtection purpose, not a CA), written to a private temporary folder renamed into place: two
    processes making one at once keep the first's, and nobody reads half a pair. The root's key is not kept."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    making = Path(tempfile.mkdtemp(prefix=".c2pa-", dir=folder.parent))  # owner-only, like the key inside
    try:
        chain, key = _local_pair()
        (making / CHAIN).write_bytes(chain)
        fd = os.open(making / KEY, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key)
        os.rename(making, folder)
        log.info("made a local content credentials certificate in %s (not trusted by viewers)", folder)
    except OSError:
        if not folder.is_dir():
            raise
    finally:
        shutil.rmtree(making, ignore_errors=True)  # nothing is left when the rename took it


def _local_pair() -> tuple[bytes, bytes]:
    """The PEM chain (signing certificate, then the root) and the signing certificate's PEM key."""
    now = dt.datetime.now(dt.UTC)
    root_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root_name = _name("Clapboard local root")
    usage = dict.fromkeys(("content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
                           "encipher_only", "decipher_only"), False)  # fmt: skip
    root = (
        _certificate(root_name, root_name, root_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, key_cert_sign=True, crl_sign=True, **usage), True)
        .sign(root_key, hashes.SHA256())
    )
    signer = (
        _certificate(_name(LOCAL_SIGNER), root_name, key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False, **usage), True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    chain = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (signer, root))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return chain, pem


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Clapboard")])  # fmt: skip


def _certificate(
    subject: x509.Name, issuer: x509.Name, public: ec.EllipticCurvePublicKey, now: dt.datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))  # a clock slightly behind still accepts it
        .not_valid_after(now + dt.timedelta(days=365 * LOCAL_YEARS))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )
