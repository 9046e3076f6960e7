"""Verifying signed submissions (公的個人認証): a valid signature is accepted; changed
data, an expired, revoked or untrusted certificate, a tampered signature value, a stale
CRL, a missing signature and XML with an external entity are each refused with their
own message, and every attempt is kept as evidence with an audit entry."""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree

from madoguchi.audit.models import AuditEntry
from madoguchi.procedures import democa, xmlsig
from madoguchi.procedures.models import (
    Attachment,
    EventKind,
    SignatureEvidence,
    SignatureResult,
    Submission,
    SubmissionEvent,
)
from madoguchi.procedures.services import signatures
from madoguchi.procedures.services.signatures import verify_and_record

from .factories import SubmissionFactory
from .signature_helpers import *  # noqa: F403 - the fixtures
from .signature_helpers import make_draft, signed_with

pytestmark = pytest.mark.django_db

DS = "{http://www.w3.org/2000/09/xmldsig#}"


def _verify(submission: Submission, document: bytes) -> SignatureEvidence:
    return verify_and_record(submission, document, provider="test", actor=submission.applicant)


def _refused(evidence: SignatureEvidence, code: str, message: str) -> None:
    assert evidence.result == SignatureResult.REFUSED
    assert evidence.failure_code == code
    assert message in evidence.failure_message
    assert SignatureEvidence.objects.filter(pk=evidence.pk).exists()
    assert AuditEntry.objects.filter(object_type="procedures.signatureevidence", object_id=str(evidence.pk)).exists()


# --- The canonical data ---------------------------------------------------------------------


def test_canonical_xml_is_deterministic_and_covers_answers_and_files(draft: Submission) -> None:
    first = xmlsig.canonical_xml(draft)
    assert first == xmlsig.canonical_xml(Submission.objects.get(pk=draft.pk))
    root = etree.fromstring(first)
    ns = {"m": xmlsig.NAMESPACE}
    assert root.tag == f"{{{xmlsig.NAMESPACE}}}Submission"
    assert root.find("m:Municipality", ns).get("code") == draft.municipality.code
    assert root.find("m:Procedure", ns).get("formVersion") == str(draft.form_version.number)
    assert root.findtext("m:PublicId", namespaces=ns) == str(draft.public_id)
    keys = [a.get("key") for a in root.iterfind("m:Answers/m:Answer", ns)]
    # Visible inputs in form order; `members` is hidden while scope is "all".
    assert keys[:3] == ["name", "name_kana", "email"]
    assert "members" not in keys
    assert root.find("m:Answers/m:Answer[@key='copies']", ns).text == "2"
    assert root.find("m:Answers/m:Answer[@key='agree']", ns).text == "true"

    draft.data = {**draft.data, "copies": 3}
    draft.save()
    changed = xmlsig.canonical_xml(draft)
    assert changed != first

    Attachment.objects.create(
        municipality=draft.municipality,
        submission=draft,
        field_key="id_document",
        file="procedures/x",
        original_name="license.pdf",
        content_type="application/pdf",
        size=1234,
        sha256="ab" * 32,
    )
    with_file = etree.fromstring(xmlsig.canonical_xml(draft))
    attachment = with_file.find("m:Attachments/m:Attachment", ns)
    assert (attachment.get("name"), attachment.get("size"), attachment.get("sha256")) == (
        "license.pdf",
        "1234",
        "ab" * 32,
    )


# --- Accepted -------------------------------------------------------------------------------


def test_a_valid_signature_is_accepted_and_its_evidence_kept(draft: Submission, demo_ca: Path) -> None:
    assert not signatures.has_valid_signature(draft)
    evidence = _verify(draft, signed_with(draft, "hanako", demo_ca))

    assert evidence.result == SignatureResult.ACCEPTED, evidence.failure_message
    assert evidence.failure_code == ""
    assert "山田 花子" in evidence.subject
    assert democa.CA_NAME in evidence.issuer
    assert democa.CA_NAME in evidence.trust_anchor
    assert evidence.certificate_pem.startswith("-----BEGIN CERTIFICATE-----")
    assert evidence.crl_issued_at is not None
    assert evidence.crl_number
    assert evidence.data_digest == xmlsig.data_digest(draft)
    assert "<ds:SignatureValue>" in evidence.signed_document
    draft.refresh_from_db()
    assert draft.signed_at is not None
    assert SubmissionEvent.objects.filter(submission=draft, kind=EventKind.SIGNED).count() == 1
    assert signatures.has_valid_signature(draft)

    entry = AuditEntry.objects.get(object_type="procedures.signatureevidence", object_id=str(evidence.pk))
    assert entry.personal_data
    assert entry.subject_id == draft.applicant_id
    assert entry.extra["result"] == "accepted"


def test_sending_the_same_signed_document_twice_records_it_once(draft: Submission, demo_ca: Path) -> None:
    document = signed_with(draft, "hanako", demo_ca)
    first = _verify(draft, document)
    again = _verify(draft, document)
    assert again.pk == first.pk
    assert SignatureEvidence.objects.filter(submission=draft).count() == 1
    assert SubmissionEvent.objects.filter(submission=draft, kind=EventKind.SIGNED).count() == 1


def test_a_procedure_without_signature_needs_none(demo_ca: Path, applicant: Any) -> None:
    submission = SubmissionFactory.create(applicant=applicant)
    assert signatures.has_valid_signature(submission)


# --- Refused: the must-show cases -------------------------------------------------------------


def test_data_changed_after_signing_is_refused(draft: Submission, demo_ca: Path) -> None:
    document = signed_with(draft, "hanako", demo_ca)
    draft.data = {**draft.data, "copies": 5}
    draft.save()
    evidence = _verify(draft, document)
    _refused(evidence, "data_mismatch", "署名が申請内容と一致しません（署名後に内容が変更されています）")
    draft.refresh_from_db()
    assert draft.signed_at is None


def test_editing_after_an_accepted_signature_requires_signing_again(draft: Submission, demo_ca: Path) -> None:
    assert _verify(draft, signed_with(draft, "hanako", demo_ca)).result == SignatureResult.ACCEPTED
    assert signatures.has_valid_signature(draft)
    draft.data = {**draft.data, "address": "茨城県笠間市笠間1番地"}
    draft.save()
    assert not signatures.has_valid_signature(draft)
    assert _verify(draft, signed_with(draft, "hanako", demo_ca)).result == SignatureResult.ACCEPTED
    assert signatures.has_valid_signature(draft)


def test_an_expired_certificate_is_refused(draft: Submission, demo_ca: Path) -> None:
    evidence = _verify(draft, signed_with(draft, "hanako-expired", demo_ca))
    _refused(evidence, "expired", "電子証明書の有効期間が過ぎています")
    assert evidence.not_after is not None
    assert evidence.serial_number


def test_a_revoked_certificate_is_refused(draft: Submission, demo_ca: Path) -> None:
    evidence = _verify(draft, signed_with(draft, "hanako-revoked", demo_ca))
    _refused(evidence, "revoked", "電子証明書は失効しています")
    assert evidence.crl_issued_at is not None


def test_a_certificate_of_an_untrusted_ca_is_refused(draft: Submission, demo_ca: Path) -> None:
    evidence = _verify(draft, signed_with(draft, "hanako-untrusted", demo_ca))
    _refused(evidence, "untrusted", "信頼できる認証局が発行した電子証明書ではありません")
    assert evidence.trust_anchor == ""
    assert not signatures.has_valid_signature(draft)


# --- Refused: the signature itself ---------------------------------------------------------------


def test_a_tampered_signature_value_is_refused(draft: Submission, demo_ca: Path) -> None:
    root = etree.fromstring(signed_with(draft, "hanako", demo_ca))
    value = root.find(f"{DS}Signature/{DS}SignatureValue")
    text = value.text.strip()
    value.text = ("A" if text[0] != "A" else "B") + text[1:]
    evidence = _verify(draft, etree.tostring(root))
    _refused(evidence, "bad_signature", "署名を検証できません")


def test_content_edited_inside_the_signed_file_is_refused(draft: Submission, demo_ca: Path) -> None:
    root = etree.fromstring(signed_with(draft, "hanako", demo_ca))
    copies = root.find(f"{{{xmlsig.NAMESPACE}}}Answers/{{{xmlsig.NAMESPACE}}}Answer[@key='copies']")
    copies.text = "9"
    _refused(_verify(draft, etree.tostring(root)), "bad_signature", "署名を検証できません")


def test_a_signature_made_for_another_submission_is_refused(draft: Submission, demo_ca: Path, applicant: Any) -> None:
    other = make_draft(applicant, form_version=draft.form_version)
    evidence = _verify(draft, signed_with(other, "hanako", demo_ca))
    _refused(evidence, "wrong_document", "この申請のものではありません")


def test_a_missing_signature_is_refused(draft: Submission, demo_ca: Path) -> None:
    _refused(_verify(draft, xmlsig.canonical_xml(draft)), "missing_signature", "署名がありません")


def test_a_file_that_is_not_xml_is_refused(draft: Submission, demo_ca: Path) -> None:
    _refused(_verify(draft, b"%PDF-1.7 not xml"), "malformed", "署名を検証できません")


def test_xml_with_an_external_entity_is_refused_and_nothing_is_fetched(draft: Submission, demo_ca: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.3)
    port = listener.getsockname()[1]
    signed = signed_with(draft, "hanako", demo_ca).decode("utf-8").split("?>", 1)[1]
    document = (
        f'<?xml version="1.0"?>\n<!DOCTYPE Submission [<!ENTITY xxe SYSTEM "http://127.0.0.1:{port}/leak">]>\n'
        + signed.replace("<PublicId>", "<PublicId>&xxe;", 1)
    ).encode("utf-8")
    try:
        evidence = _verify(draft, document)
        _refused(evidence, "forbidden_dtd", "署名を検証できません")
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


# --- Refused: revocation lists ---------------------------------------------------------------


def _write_crl(path: Path, crl: Any) -> Path:
    path.write_bytes(crl.public_bytes(serialization.Encoding.DER))
    return path


def test_a_stale_crl_refuses_with_its_own_message(
    draft: Submission, demo_ca: Path, settings: Any, tmp_path: Path
) -> None:
    ca_key, ca_cert = democa.load_ca(demo_ca)
    now = dt.datetime.now(dt.UTC)
    stale = democa.make_crl(
        ca_key, ca_cert, [], last_update=now - dt.timedelta(days=40), next_update=now - dt.timedelta(days=10)
    )
    settings.SIGNATURE_CRLS = [str(_write_crl(tmp_path / "stale.crl", stale))]
    evidence = _verify(draft, signed_with(draft, "hanako", demo_ca))
    _refused(evidence, "crl_stale", "失効情報が更新されていない")


def test_a_crl_with_a_bad_signature_is_not_believed(
    draft: Submission, demo_ca: Path, settings: Any, tmp_path: Path
) -> None:
    # The CRL names the demo CA as its issuer but another key signed it.
    _ca_key, ca_cert = democa.load_ca(demo_ca)
    from cryptography.hazmat.primitives.asymmetric import rsa

    forged = democa.make_crl(rsa.generate_private_key(public_exponent=65537, key_size=2048), ca_cert, [])
    settings.SIGNATURE_CRLS = [str(_write_crl(tmp_path / "forged.crl", forged))]
    evidence = _verify(draft, signed_with(draft, "hanako", demo_ca))
    _refused(evidence, "crl_unavailable", "失効情報を確認できない")


def test_a_configured_trust_anchor_replaces_the_demo_ca(
    draft: Submission, demo_ca: Path, settings: Any, tmp_path: Path
) -> None:
    # A deployment trusting another CA (as it would trust JPKI): that CA's certificates
    # are accepted, the demo CA's are not.
    other_key = democa._load_key(demo_ca / "untrusted-ca-key.pem")
    other_cert = democa._load_cert(demo_ca / "untrusted-ca.pem")
    settings.SIGNATURE_TRUST_ANCHORS = [str(demo_ca / "untrusted-ca.pem")]
    settings.SIGNATURE_CRLS = [str(_write_crl(tmp_path / "other.crl", democa.make_crl(other_key, other_cert, [])))]
    assert _verify(draft, signed_with(draft, "hanako-untrusted", demo_ca)).result == SignatureResult.ACCEPTED
    _refused(_verify(draft, signed_with(draft, "hanako", demo_ca)), "untrusted", "信頼できる認証局")
