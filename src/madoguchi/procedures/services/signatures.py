"""Electronic signatures (公的個人認証) of submissions: verifying a signed submission and
keeping the evidence.

`verify_and_record()` takes the signed XML an applicant sent (uploaded from their own
JPKI software, or posted back by the demo signing app) and checks, in this order:

1. that it is a well-formed XML document without a DTD (no entity is ever expanded and
   nothing is fetched), with exactly one enveloped XMLDSig signature over the whole
   document and the signer's certificate in X509Data;
2. the certificate chain up to a trust anchor (`settings.SIGNATURE_TRUST_ANCHORS`, PEM
   files; empty: the demo CA's `ca.pem` under `settings.DEMO_CA_DIR`), intermediates
   taken from X509Data;
3. the certificate's validity period at the time of verification;
4. its key usage (digitalSignature or nonRepudiation);
5. the signature value, with the certificate's key (signxml; RSA/ECDSA with SHA-2);
6. that the signed content is the submission's CURRENT canonical data
   (`xmlsig.canonical_xml`): same bytes after exclusive C14N;
7. revocation: a CRL of the certificate's issuer (`settings.SIGNATURE_CRLS`, DER or PEM
   files; empty: the demo CA's `crl.pem`) whose own signature verifies and whose
   nextUpdate has not passed — a stale or missing CRL refuses (fail closed).

Every attempt is kept as `SignatureEvidence` (accepted, or refused with a failure code
and message) with an audit entry; an acceptance sets `Submission.signed_at` and adds a
`signed` entry to the timeline. `has_valid_signature()` holds while the latest accepted
signature covers the current data: any later change of an answer or file requires
signing again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidInput, SignXMLException

from madoguchi.audit import services as audit

from .. import xmlsig
from ..models import EventKind, SignatureEvidence, SignatureResult, Submission
from . import common

logger = logging.getLogger(__name__)

#: The largest signed document accepted (a signed submission is a few kilobytes).
MAX_DOCUMENT_BYTES = 1024 * 1024
#: The longest certificate chain followed from the signer to a trust anchor.
MAX_CHAIN_DEPTH = 4

DSIG = xmlsig.DSIG_NAMESPACE

#: Why a signature is refused: code → message (Japanese msgid, translated when shown).
FAILURE_MESSAGES: dict[str, str] = {
    "too_large": gettext_noop("署名付きファイルが大きすぎます。"),
    "malformed": gettext_noop("署名を検証できません。署名付きのXMLファイルではないか、ファイルが壊れています。"),
    "forbidden_dtd": gettext_noop(
        "署名を検証できません。文書型宣言（DOCTYPE）や外部参照を含むファイルは受け付けません。"
    ),
    "missing_signature": gettext_noop("署名がありません。署名した後のXMLファイルを選んでください。"),
    "no_certificate": gettext_noop("署名を検証できません。署名に電子証明書が含まれていません。"),
    "untrusted": gettext_noop("信頼できる認証局が発行した電子証明書ではありません。"),
    "not_yet_valid": gettext_noop("電子証明書の有効期間が始まっていません。"),
    "expired": gettext_noop("電子証明書の有効期間が過ぎています。"),
    "key_usage": gettext_noop("この電子証明書は署名用ではありません。署名用電子証明書で署名してください。"),
    "bad_signature": gettext_noop(
        "署名を検証できません。署名値が正しくありません（署名後にファイルが変更されています）。"
    ),
    "wrong_document": gettext_noop("署名されたファイルはこの申請のものではありません。"),
    "data_mismatch": gettext_noop("署名が申請内容と一致しません（署名後に内容が変更されています）。"),
    "crl_unavailable": gettext_noop(
        "電子証明書の失効情報を確認できないため、署名を受け付けられません。時間をおいてもう一度お試しください。"
    ),
    "crl_stale": gettext_noop(
        "電子証明書の失効情報が更新されていないため、署名を受け付けられません。時間をおいてもう一度お試しください。"
    ),
    "revoked": gettext_noop("電子証明書は失効しています。"),
}


class SignatureRefusedError(Exception):
    """A signature madoguchi does not accept; `code` is a key of FAILURE_MESSAGES."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)

    @property
    def message(self) -> str:
        return _(FAILURE_MESSAGES[self.code])


def failure_message(code: str) -> str:
    """The message of a failure code, in the active language."""
    return _(FAILURE_MESSAGES.get(code, FAILURE_MESSAGES["malformed"]))


# --- Configuration: trust anchors and CRLs ------------------------------------------------


def _demo_file(name: str) -> list[Path]:
    path = Path(settings.DEMO_CA_DIR) / name
    return [path] if path.exists() else []


def trust_anchor_paths() -> list[Path]:
    configured = [Path(p) for p in getattr(settings, "SIGNATURE_TRUST_ANCHORS", []) or []]
    return configured or _demo_file("ca.pem")


def crl_paths() -> list[Path]:
    configured = [Path(p) for p in getattr(settings, "SIGNATURE_CRLS", []) or []]
    return configured or _demo_file("crl.pem")


def trust_anchors() -> list[x509.Certificate]:
    """The configured trust anchors (every certificate of every PEM file). A missing or
    unreadable file is logged and skipped: nothing chains to it."""
    anchors: list[x509.Certificate] = []
    for path in trust_anchor_paths():
        try:
            anchors.extend(x509.load_pem_x509_certificates(path.read_bytes()))
        except (OSError, ValueError):
            logger.exception("signature trust anchor %s cannot be read", path)
    return anchors


def revocation_lists() -> list[x509.CertificateRevocationList]:
    """The configured CRLs (DER or PEM); read on every verification, so an operator's
    refresh (a cron job replacing the file) takes effect at once."""
    crls: list[x509.CertificateRevocationList] = []
    for path in crl_paths():
        try:
            raw = path.read_bytes()
            crls.append(
                x509.load_pem_x509_crl(raw) if raw.lstrip().startswith(b"-----") else x509.load_der_x509_crl(raw)
            )
        except (OSError, ValueError):
            logger.exception("certificate revocation list %s cannot be read", path)
    return crls


# --- The checks -------------------------------------------------------------------------


@dataclass
class Findings:
    """What the verification learnt, kept in the evidence whatever the result."""

    certificate: x509.Certificate | None = None
    anchor: x509.Certificate | None = None
    crl: x509.CertificateRevocationList | None = None


def _parse(signed_xml: bytes) -> etree._Element:
    if len(signed_xml) > MAX_DOCUMENT_BYTES:
        raise SignatureRefusedError("too_large")
    try:
        root = etree.fromstring(signed_xml, parser=xmlsig.safe_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise SignatureRefusedError("malformed") from exc
    if root is None:
        raise SignatureRefusedError("malformed")
    docinfo = root.getroottree().docinfo
    # An entity or DTD has no place in a signed submission; refusing them outright
    # leaves nothing to resolve (XXE, billion laughs).
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise SignatureRefusedError("forbidden_dtd")
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise SignatureRefusedError("forbidden_dtd")
    signatures = list(root.iter(f"{{{DSIG}}}Signature"))
    if not signatures:
        raise SignatureRefusedError("missing_signature")
    # One enveloped signature, a child of the root: anything else (a signature wrapped
    # somewhere inside, two signatures) is not what a JPKI client writes.
    if len(signatures) != 1 or signatures[0].getparent() is not root:
        raise SignatureRefusedError("malformed")
    return root


def _certificates(root: etree._Element) -> list[x509.Certificate]:
    certs = []
    for el in root.iterfind(f"{{{DSIG}}}Signature/{{{DSIG}}}KeyInfo/{{{DSIG}}}X509Data/{{{DSIG}}}X509Certificate"):
        body = "".join((el.text or "").split())
        try:
            certs.append(
                x509.load_pem_x509_certificate(
                    f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n".encode("ascii")
                )
            )
        except (ValueError, UnicodeEncodeError) as exc:
            raise SignatureRefusedError("no_certificate") from exc
    return certs


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _signer_of(certs: list[x509.Certificate]) -> x509.Certificate:
    if not certs:
        raise SignatureRefusedError("no_certificate")
    leaves = [c for c in certs if not _is_ca(c)]
    return leaves[0] if leaves else certs[0]


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, CryptoInvalidSignature):
        return False
    return True


def _in_validity(cert: x509.Certificate, now: dt.datetime) -> bool:
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc


def _chain(
    signer: x509.Certificate, extra: list[x509.Certificate], anchors: list[x509.Certificate], now: dt.datetime
) -> tuple[x509.Certificate, x509.Certificate]:
    """(anchor, direct issuer of the signer) — the signer chains to a trust anchor
    through CA certificates included in the signature, each valid now."""
    current, issuer_of_signer = signer, None
    for _depth in range(MAX_CHAIN_DEPTH):
        for anchor in anchors:
            if _issued_by(current, anchor):
                return anchor, issuer_of_signer or anchor
        step = next(
            (c for c in extra if c is not current and _is_ca(c) and _in_validity(c, now) and _issued_by(current, c)),
            None,
        )
        if step is None:
            break
        issuer_of_signer = issuer_of_signer or step
        current = step
    raise SignatureRefusedError("untrusted")


def _check_key_usage(cert: x509.Certificate) -> None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound as exc:
        raise SignatureRefusedError("key_usage") from exc
    if not (usage.digital_signature or usage.content_commitment):
        raise SignatureRefusedError("key_usage")


def _check_revocation(cert: x509.Certificate, issuer: x509.Certificate, now: dt.datetime, findings: Findings) -> None:
    candidates = []
    for crl in revocation_lists():
        if crl.issuer != issuer.subject:
            continue
        try:
            valid = crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
        except (TypeError, ValueError):
            valid = False
        if not valid:
            logger.warning("a CRL of %s has a bad signature; ignored", issuer.subject.rfc4514_string())
            continue
        candidates.append(crl)
    if not candidates:
        raise SignatureRefusedError("crl_unavailable")
    crl = max(candidates, key=lambda c: c.last_update_utc)
    findings.crl = crl
    if crl.next_update_utc is None or crl.next_update_utc < now or crl.last_update_utc > now:
        raise SignatureRefusedError("crl_stale")
    if crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
        raise SignatureRefusedError("revoked")


def _check_signature(signed_xml: bytes, cert: x509.Certificate) -> bytes:
    """The canonical bytes of what the signature covers (the root without the
    signature), once the signature value verifies with the certificate's key."""
    config = SignatureConfiguration(
        require_x509=True,
        expect_references=1,
        signature_methods=frozenset(
            {
                SignatureMethod.RSA_SHA256,
                SignatureMethod.RSA_SHA384,
                SignatureMethod.RSA_SHA512,
                SignatureMethod.ECDSA_SHA256,
                SignatureMethod.ECDSA_SHA384,
            }
        ),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512}),
    )
    try:
        result: Any = XMLVerifier().verify(
            signed_xml, x509_cert=cert, expect_config=config, parser=xmlsig.safe_parser()
        )
    except InvalidInput as exc:
        raise SignatureRefusedError("malformed") from exc
    except SignXMLException as exc:
        raise SignatureRefusedError("bad_signature") from exc
    except (ValueError, TypeError, etree.LxmlError) as exc:
        raise SignatureRefusedError("malformed") from exc
    return xmlsig.c14n(result.signed_xml)


def _check_content(signed: bytes, submission: Submission, current: bytes) -> None:
    if signed == current:
        return
    try:
        root = etree.fromstring(signed, parser=xmlsig.safe_parser())
    except etree.XMLSyntaxError as exc:
        raise SignatureRefusedError("data_mismatch") from exc
    public_id = root.findtext(f"{{{xmlsig.NAMESPACE}}}PublicId")
    if root.tag != f"{{{xmlsig.NAMESPACE}}}Submission" or public_id != str(submission.public_id):
        raise SignatureRefusedError("wrong_document")
    raise SignatureRefusedError("data_mismatch")


def _verify(submission: Submission, signed_xml: bytes, current: bytes, findings: Findings) -> None:
    now = timezone.now()
    root = _parse(signed_xml)
    certs = _certificates(root)
    signer = _signer_of(certs)
    findings.certificate = signer
    anchors = trust_anchors()
    anchor, issuer = _chain(signer, [c for c in certs if c is not signer], anchors, now)
    findings.anchor = anchor
    if now < signer.not_valid_before_utc:
        raise SignatureRefusedError("not_yet_valid")
    if now > signer.not_valid_after_utc:
        raise SignatureRefusedError("expired")
    _check_key_usage(signer)
    signed = _check_signature(signed_xml, signer)
    _check_content(signed, submission, current)
    _check_revocation(signer, issuer, now, findings)


# --- Recording ----------------------------------------------------------------------------


def _name_of(name: x509.Name) -> str:
    common = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    text = name.rfc4514_string()
    if common:
        value = common[0].value
        value = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value
        return f"{value} ({text})"[:500]
    return text[:500]


def _crl_number(crl: x509.CertificateRevocationList) -> str:
    try:
        return str(crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number)
    except x509.ExtensionNotFound:
        return ""


def _evidence_fields(findings: Findings) -> dict[str, Any]:
    from cryptography.hazmat.primitives import serialization

    fields: dict[str, Any] = {}
    cert = findings.certificate
    if cert is not None:
        fields.update(
            certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
            subject=_name_of(cert.subject),
            issuer=_name_of(cert.issuer),
            serial_number=format(cert.serial_number, "x")[:80],
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
        )
    if findings.anchor is not None:
        fields["trust_anchor"] = _name_of(findings.anchor.subject)
    if findings.crl is not None:
        fields["crl_issued_at"] = findings.crl.last_update_utc
        fields["crl_number"] = _crl_number(findings.crl)[:80]
    return fields


def _document_text(signed_xml: bytes) -> str:
    # Kept as received; NUL would be refused by PostgreSQL and has no place in XML.
    return signed_xml[:MAX_DOCUMENT_BYTES].decode("utf-8", errors="replace").replace("\x00", "")


def verify_and_record(
    submission: Submission, signed_xml: bytes, *, provider: str, actor: Any = None, request: Any = None
) -> SignatureEvidence:
    """Verify a signed submission (see the module docstring) and keep the evidence.

    Returns the `SignatureEvidence`: `result` says whether it was accepted, and when
    refused `failure_code` and `failure_message` say why. Sending the same accepted
    document again (a double click, a retried request) returns the evidence already
    kept and records nothing twice."""
    with transaction.atomic():
        current_submission = common.locked(submission)
        current = xmlsig.canonical_xml(current_submission)
        current_digest = xmlsig.digest(current)
        document = _document_text(signed_xml)
        earlier = (
            SignatureEvidence.objects.filter(
                submission=current_submission, result=SignatureResult.ACCEPTED, data_digest=current_digest
            )
            .order_by("-verified_at", "-pk")
            .first()
        )
        if (
            earlier is not None
            and hashlib.sha256(earlier.signed_document.encode()).digest() == hashlib.sha256(document.encode()).digest()
        ):
            return earlier
        findings = Findings()
        code = ""
        try:
            _verify(current_submission, signed_xml, current, findings)
        except SignatureRefusedError as refusal:
            code = refusal.code
        evidence = SignatureEvidence.objects.create(
            municipality_id=current_submission.municipality_id,
            submission=current_submission,
            signed_document=document,
            data_digest=current_digest,
            result=SignatureResult.REFUSED if code else SignatureResult.ACCEPTED,
            failure_code=code,
            failure_message=failure_message(code) if code else "",
            provider=provider[:40],
            **_evidence_fields(findings),
        )
        audit.record(
            action=audit.Action.CREATE,
            obj=evidence,
            municipality=current_submission.municipality,
            actor=actor,
            request=request,
            personal_data=True,
            subject=current_submission.applicant,
            fields=["signed_document", "certificate_pem"],
            extra={
                "submission": str(current_submission.public_id),
                "number": current_submission.number,
                "result": evidence.result,
                "failure_code": code,
                "provider": provider,
                "serial_number": evidence.serial_number,
            },
        )
        if not code:
            current_submission.signed_at = evidence.verified_at
            current_submission.save(update_fields=["signed_at", "updated_at"])
            submission.signed_at = current_submission.signed_at
            common.record_event(
                current_submission,
                EventKind.SIGNED,
                actor=actor,
                data={
                    "evidence": evidence.pk,
                    "subject": evidence.subject,
                    "serial_number": evidence.serial_number,
                    "provider": provider,
                },
            )
        return evidence


def latest_accepted(submission: Submission) -> SignatureEvidence | None:
    return (
        SignatureEvidence.objects.filter(submission=submission, result=SignatureResult.ACCEPTED)
        .order_by("-verified_at", "-pk")
        .first()
    )


def has_valid_signature(submission: Submission) -> bool:
    """Whether the submission's current data carries an accepted signature (always true
    when the procedure does not require one). Changing an answer or a file after
    signing makes it false until the applicant signs again."""
    required = submission.signature_required or (submission.is_draft and submission.procedure.requires_signature)
    if not required:
        return True
    evidence = latest_accepted(submission)
    return evidence is not None and evidence.data_digest == xmlsig.data_digest(submission)


def ensure_signature_required(submission: Submission) -> Submission:
    """Mark a draft of a procedure that requires a signature as needing one (the
    applying part creates drafts; the sign page makes sure)."""
    if submission.is_draft and submission.procedure.requires_signature and not submission.signature_required:
        submission.signature_required = True
        submission.save(update_fields=["signature_required", "updated_at"])
    return submission
