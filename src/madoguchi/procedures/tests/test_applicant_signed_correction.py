"""Answering a correction of a procedure that requires an electronic signature: the
corrected data waits, open, until the applicant signs it (demo CA certificates); a
signature over other data is refused with its reason and the answer stays pending."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from madoguchi.accounts.models import User
from madoguchi.core.models import Municipality
from madoguchi.procedures.models import (
    CorrectionStatus,
    EventKind,
    SignatureEvidence,
    SignatureResult,
    SubmissionStatus,
)
from madoguchi.procedures.services import applicant, common, signatures
from madoguchi.procedures.tests.signature_helpers import demo_ca, demo_ca_dir, signed_with
from madoguchi.testing.factories import UserFactory
from madoguchi.testing.tenancy import sign_in

from .applicant_factories import request_correction, submission_of

pytestmark = pytest.mark.django_db

__all__ = ["demo_ca", "demo_ca_dir"]

S = SubmissionStatus
NEW_ADDRESS = "茨城県笠間市石井717"


@pytest.fixture
def resident(db: None) -> User:
    return UserFactory.create(email="hanako@resident.example", family_name="山田", given_name="花子")


def test_the_corrected_data_must_be_signed_before_the_answer_counts(
    kasama: Municipality, resident: User, demo_ca: Path
) -> None:
    submission = submission_of(kasama, resident, signature_required=True)
    old_signature = signed_with(submission, "hanako", demo_ca)  # over the data before the correction
    request_correction(submission, fields=["address"])
    result = applicant.answer_correction(
        submission, values={"address": NEW_ADDRESS}, message="直しました", user=resident
    )
    assert result.needs_signature
    submission.refresh_from_db()
    assert not signatures.has_valid_signature(submission)

    # A signature over the old data is refused, kept as evidence, and changes nothing.
    with pytest.raises(common.ProcedureError) as excinfo:
        applicant.sign_correction(submission, old_signature, user=resident)
    assert excinfo.value.code == "signature_refused"
    assert excinfo.value.messages[0]
    refused = SignatureEvidence.objects.get(submission=submission)
    assert refused.result == SignatureResult.REFUSED
    submission.refresh_from_db()
    assert submission.status == S.CORRECTION_REQUESTED

    # Signed as corrected: verified and the answer finalised.
    outcome = applicant.sign_correction(submission, signed_with(submission, "hanako", demo_ca), user=resident)
    assert not outcome.needs_signature
    submission.refresh_from_db()
    assert submission.status == S.IN_REVIEW
    assert submission.data["address"] == NEW_ADDRESS
    assert signatures.has_valid_signature(submission)
    correction = outcome.correction
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.ANSWERED
    assert correction.previous_values == {"address": "茨城県笠間市中央三丁目2番1号"}
    kinds = list(submission.events.order_by("pk").values_list("kind", flat=True))
    assert kinds[-3:] == [EventKind.SIGNED, EventKind.CORRECTED, EventKind.STATUS]


def test_the_correction_page_offers_the_data_and_takes_the_signed_file(
    client: Client, kasama: Municipality, resident: User, demo_ca: Path
) -> None:
    submission = submission_of(kasama, resident, signature_required=True)
    request_correction(submission, fields=["address"])
    sign_in(client, resident)
    url = f"/kasama/procedures/my/{submission.public_id}/correct/"
    saved = client.post(url, {"fix-address": NEW_ADDRESS})
    assert saved.status_code == 302
    page = client.get(url).content.decode()
    assert "署名を確認して補正を提出する" in page
    download = client.get(url + "?download=1")
    assert download["Content-Type"].startswith("application/xml")
    assert NEW_ADDRESS in download.content.decode()
    submission.refresh_from_db()
    signed = signed_with(submission, "hanako", demo_ca)
    upload = SimpleUploadedFile("signed.xml", signed, content_type="application/xml")
    done = client.post(url, {"action": "sign", "signed_file": upload})
    assert done.status_code == 302
    assert done["Location"] == f"/kasama/procedures/my/{submission.public_id}/"
    submission.refresh_from_db()
    assert submission.status == S.IN_REVIEW
