"""The demo certificate authority (デモ認証局): FOR DEMONSTRATION AND TESTS ONLY.

It stands in for JPKI (公的個人認証サービス) so that signing and verifying submissions
runs here end to end. `ensure(directory)` (command `manage.py demo_ca`) writes:

- `ca.pem`, `ca-key.pem`: the root 「madoguchi デモ認証局」;
- `crl.pem`: its certificate revocation list, listing the revoked test certificate,
  re-issued (fresh nextUpdate) on every run;
- `signers/<name>.pem`, `signers/<name>-key.pem`: test signer certificates and their
  keys (PKCS#8 PEM, without a password: anyone can sign with them; they prove nothing);
- `untrusted-ca.pem`: the issuer of the `untrusted` certificate, which no configuration
  trusts;
- `manifest.json`: who each certificate is for, read by the demo signing app.

Idempotent: running again keeps the same CA and certificates (missing ones are made);
`force=True` starts over.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings

CA_NAME = "madoguchi デモ認証局"
UNTRUSTED_CA_NAME = "信頼されていない認証局（デモ）"
KEY_SIZE = 2048
CA_YEARS = 10
SIGNER_YEARS = 5  # JPKI signing certificates are valid for five years.
CRL_DAYS = 90
#: The PIN (署名用パスワード) the demo signing app asks for, for every demo certificate.
DEMO_PIN = "1234"


@dataclass(frozen=True)
class DemoSigner:
    """One test certificate: `name` is its file name, `email` the demo account it is for."""

    name: str
    email: str
    common_name: str
    kind: str  # "valid", "expired", "revoked", "untrusted"


SIGNERS: tuple[DemoSigner, ...] = (
    DemoSigner("hanako", "hanako@resident.example", "山田 花子", "valid"),
    DemoSigner("emily", "emily@resident.example", "Clark Emily", "valid"),
    DemoSigner("hanako-expired", "hanako@resident.example", "山田 花子", "expired"),
    DemoSigner("hanako-revoked", "hanako@resident.example", "山田 花子", "revoked"),
    DemoSigner("hanako-untrusted", "hanako@resident.example", "山田 花子", "untrusted"),
)


def default_dir() -> Path:
    return Path(settings.DEMO_CA_DIR)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _name(common_name: str, organisation: str = "madoguchi demo") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def _write_key(path: Path, key: rsa.RSAPrivateKey) -> None:
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _make_ca(common_name: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = _key()
    name = _name(common_name)
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _make_signer(
    signer: DemoSigner, ca_key: rsa.RSAPrivateKey, ca_cert: x509.Certificate
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = _key()
    now = _now()
    if signer.kind == "expired":
        not_before, not_after = now - dt.timedelta(days=365 * SIGNER_YEARS + 30), now - dt.timedelta(days=30)
    else:
        not_before, not_after = now - dt.timedelta(days=1), now + dt.timedelta(days=365 * SIGNER_YEARS)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(signer.common_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            # As a JPKI signing certificate: for signatures that the signer cannot deny.
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(signer.email)]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def make_crl(
    ca_key: rsa.RSAPrivateKey,
    ca_cert: x509.Certificate,
    revoked_serials: list[int],
    *,
    last_update: dt.datetime | None = None,
    next_update: dt.datetime | None = None,
    number: int | None = None,
) -> x509.CertificateRevocationList:
    """A CRL of the CA listing the serial numbers (tests pass dates to make a stale one)."""
    last = last_update or _now() - dt.timedelta(minutes=5)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(last)
        .next_update(next_update or last + dt.timedelta(days=CRL_DAYS))
        .add_extension(x509.CRLNumber(number if number is not None else int(last.timestamp())), critical=False)
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(last).build()
        )
    return builder.sign(ca_key, hashes.SHA256())


def _load_cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _load_key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


README = """madoguchi デモ認証局 / madoguchi demo certificate authority

FOR DEMONSTRATION AND TESTS ONLY. The private keys here have no password and prove
nothing about anyone. Never list ca.pem as a trust anchor of a real deployment.
Made by `manage.py demo_ca`; PIN of the demo signing app: 1234.
"""


def ensure(directory: Path | None = None, *, force: bool = False) -> Path:
    """Create the demo CA under `directory` (default `settings.DEMO_CA_DIR`), keeping what
    exists unless `force`; the CRL is re-issued every time. Returns the directory."""
    directory = Path(directory or default_dir())
    if force and directory.exists():
        shutil.rmtree(directory)
    (directory / "signers").mkdir(parents=True, exist_ok=True)
    (directory / "README.txt").write_text(README, encoding="utf-8")
    ca_pem, ca_key_pem = directory / "ca.pem", directory / "ca-key.pem"
    if ca_pem.exists() and ca_key_pem.exists():
        ca_key, ca_cert = _load_key(ca_key_pem), _load_cert(ca_pem)
    else:
        ca_key, ca_cert = _make_ca(CA_NAME)
        _write_key(ca_key_pem, ca_key)
        _write_cert(ca_pem, ca_cert)
        # A new CA: certificates of an older one would not chain to it.
        for old in (directory / "signers").glob("*.pem"):
            old.unlink()
    untrusted_pem, untrusted_key_pem = directory / "untrusted-ca.pem", directory / "untrusted-ca-key.pem"
    if untrusted_pem.exists() and untrusted_key_pem.exists():
        untrusted_key, untrusted_cert = _load_key(untrusted_key_pem), _load_cert(untrusted_pem)
    else:
        untrusted_key, untrusted_cert = _make_ca(UNTRUSTED_CA_NAME)
        _write_key(untrusted_key_pem, untrusted_key)
        _write_cert(untrusted_pem, untrusted_cert)
    manifest: dict[str, Any] = {"ca": CA_NAME, "pin": DEMO_PIN, "signers": []}
    revoked: list[int] = []
    for signer in SIGNERS:
        cert_path, key_path = signer_paths(directory, signer.name)
        if not (cert_path.exists() and key_path.exists()):
            issuer_key, issuer_cert = (
                (untrusted_key, untrusted_cert) if signer.kind == "untrusted" else (ca_key, ca_cert)
            )
            key, cert = _make_signer(signer, issuer_key, issuer_cert)
            _write_key(key_path, key)
            _write_cert(cert_path, cert)
        cert = _load_cert(cert_path)
        if signer.kind == "revoked":
            revoked.append(cert.serial_number)
        manifest["signers"].append(
            {
                "name": signer.name,
                "email": signer.email,
                "common_name": signer.common_name,
                "kind": signer.kind,
                "serial_number": format(cert.serial_number, "x"),
                "not_after": cert.not_valid_after_utc.isoformat(),
            }
        )
    _write_crl(directory / "crl.pem", make_crl(ca_key, ca_cert, revoked))
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return directory


def _write_crl(path: Path, crl: x509.CertificateRevocationList) -> None:
    path.write_bytes(crl.public_bytes(serialization.Encoding.PEM))


def signer_paths(directory: Path, name: str) -> tuple[Path, Path]:
    return directory / "signers" / f"{name}.pem", directory / "signers" / f"{name}-key.pem"


def manifest(directory: Path | None = None) -> dict[str, Any]:
    """The demo CA's manifest, or an empty one when the CA was not made."""
    path = Path(directory or default_dir()) / "manifest.json"
    if not path.exists():
        return {"signers": []}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def signer_names(directory: Path | None = None) -> list[str]:
    return [s["name"] for s in manifest(directory)["signers"]]


def load_signer(name: str, directory: Path | None = None) -> tuple[bytes, bytes]:
    """(key PEM, certificate PEM) of a test certificate; KeyError when there is none."""
    if name not in signer_names(directory):
        raise KeyError(name)
    cert_path, key_path = signer_paths(Path(directory or default_dir()), name)
    return key_path.read_bytes(), cert_path.read_bytes()


def load_ca(directory: Path | None = None) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    directory = Path(directory or default_dir())
    return _load_key(directory / "ca-key.pem"), _load_cert(directory / "ca.pem")
