"""The commands: `demo_ca` makes the demo CA once and keeps it; `sign_submission` signs a
submission with a test certificate and verifies it end to end, or writes the signed
XML for uploading."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from madoguchi.procedures import democa
from madoguchi.procedures.models import EventKind, SignatureEvidence, SignatureResult, Submission, SubmissionEvent
from madoguchi.procedures.services import signatures
from madoguchi.procedures.services.signatures import verify_and_record

from .signature_helpers import *  # noqa: F403 - the fixtures


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_demo_ca_is_idempotent_and_force_makes_a_new_one(tmp_path: Path, settings: Any) -> None:
    settings.DEMO_CA_DIR = tmp_path / "ca"
    output = _run("demo_ca")
    assert "hanako-revoked" in output
    ca = (tmp_path / "ca" / "ca.pem").read_bytes()
    hanako = (tmp_path / "ca" / "signers" / "hanako.pem").read_bytes()
    _run("demo_ca")
    assert (tmp_path / "ca" / "ca.pem").read_bytes() == ca
    assert (tmp_path / "ca" / "signers" / "hanako.pem").read_bytes() == hanako
    assert set(democa.signer_names(tmp_path / "ca")) == {s.name for s in democa.SIGNERS}
    key = (tmp_path / "ca" / "signers" / "hanako-key.pem").read_bytes()
    assert key.startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8, no password
    _run("demo_ca", "--force")
    assert (tmp_path / "ca" / "ca.pem").read_bytes() != ca


@pytest.mark.django_db
def test_sign_submission_signs_and_verifies_end_to_end(draft: Submission, demo_ca: Path) -> None:
    output = _run("sign_submission", str(draft.public_id), "--cert", "hanako")
    assert "signature accepted" in output
    assert signatures.has_valid_signature(draft)
    evidence = SignatureEvidence.objects.get(submission=draft)
    assert evidence.provider == "command"
    assert evidence.result == SignatureResult.ACCEPTED
    assert SubmissionEvent.objects.filter(submission=draft, kind=EventKind.SIGNED).exists()


@pytest.mark.django_db
def test_sign_submission_by_number_reports_a_refusal(draft: Submission, demo_ca: Path) -> None:
    Submission.objects.filter(pk=draft.pk).update(number="2026-000777")
    output = _run("sign_submission", "2026-000777", "--cert", "hanako-revoked")
    assert "refused [revoked]" in output
    assert "電子証明書は失効しています" in output


@pytest.mark.django_db
def test_sign_submission_writes_the_signed_xml_for_uploading(draft: Submission, demo_ca: Path, tmp_path: Path) -> None:
    out = tmp_path / "signed.xml"
    _run("sign_submission", str(draft.public_id), "--cert", "emily", "--out", str(out))
    assert not SignatureEvidence.objects.filter(submission=draft).exists()
    evidence = verify_and_record(draft, out.read_bytes(), provider="upload")
    assert evidence.result == SignatureResult.ACCEPTED
    assert "Clark Emily" in evidence.subject


@pytest.mark.django_db
def test_sign_submission_explains_what_it_cannot_do(draft: Submission, demo_ca: Path) -> None:
    with pytest.raises(CommandError, match="available: hanako"):
        _run("sign_submission", str(draft.public_id), "--cert", "nobody")
    with pytest.raises(CommandError, match="No submission"):
        _run("sign_submission", "2026-999999", "--cert", "hanako")
