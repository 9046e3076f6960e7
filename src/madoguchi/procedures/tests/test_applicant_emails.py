"""The e-mail on every change of status (`procedures/status_changed`), in the
applicant's language, once per change."""

from __future__ import annotations

import pytest

from madoguchi.accounts.models import User
from madoguchi.core.models import Municipality
from madoguchi.notifications.models import OutboundMessage
from madoguchi.procedures.models import SubmissionStatus
from madoguchi.procedures.services import applicant, common
from madoguchi.testing.factories import UserFactory

from .applicant_factories import request_correction, submission_of

pytestmark = pytest.mark.django_db

S = SubmissionStatus


def _status_mails() -> list[OutboundMessage]:
    return list(OutboundMessage.unscoped.filter(template_key="procedures/status_changed").order_by("pk"))


def test_every_change_of_status_sends_one_mail_in_japanese(kasama: Municipality) -> None:
    resident: User = UserFactory.create(email="hanako@example.jp")
    submission = submission_of(kasama, resident)
    request_correction(submission, fields=["address"], message="番地が抜けています。")
    applicant.answer_correction(submission, values={"address": "茨城県笠間市石井717"}, user=resident)
    common.change_status(submission, S.IN_REVIEW, who="staff")  # asked twice: nothing new
    mails = _status_mails()
    assert [m.context["status"] for m in mails] == [S.CORRECTION_REQUESTED, S.IN_REVIEW]
    assert {m.address for m in mails} == {"hanako@example.jp"}
    assert {m.language for m in mails} == {"ja"}
    correction_mail, back_mail = mails
    assert (
        correction_mail.subject == f"【笠間市】申請の状態が「補正依頼中」になりました（受付番号 {submission.number}）"
    )
    assert "番地が抜けています。" in correction_mail.body_text
    assert "補正の内容" in correction_mail.body_text
    assert submission.procedure.name_ja in correction_mail.body_text
    assert f"/kasama/procedures/my/{submission.public_id}/" in correction_mail.body_text
    assert back_mail.subject == f"【笠間市】申請の状態が「審査中」になりました（受付番号 {submission.number}）"


def test_withdrawing_sends_the_mail_with_the_reason(kasama: Municipality) -> None:
    resident: User = UserFactory.create(email="taro@example.jp")
    submission = submission_of(kasama, resident)
    applicant.withdraw(submission, user=resident, reason="窓口で受け取りました")
    applicant.withdraw(submission, user=resident)
    (mail,) = _status_mails()
    assert "「取下げ」" in mail.subject
    assert "窓口で受け取りました" in mail.body_text
    assert "申請は取り下げられました。" in mail.body_text


def test_the_mail_is_in_the_language_the_applicant_applied_in(kasama: Municipality) -> None:
    resident: User = UserFactory.create(email="anna@example.jp")
    submission = submission_of(kasama, resident, language="en")
    common.change_status(submission, S.IN_REVIEW, who="staff")
    (mail,) = _status_mails()
    assert mail.language == "en"
    # The municipality and the procedure are named in English.
    assert "Kasama City" in mail.subject
    assert "笠間市" not in mail.subject
    assert submission.procedure.name_en in mail.body_text
    assert submission.procedure.name_ja not in mail.body_text
