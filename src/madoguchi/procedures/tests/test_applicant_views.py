"""The applicant's pages: 申請履歴, one submission, messages, withdrawing and answering a
correction, as a resident uses them, and who may not see them."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.accounts.models import User
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.procedures.models import (
    CorrectionStatus,
    EventKind,
    SubmissionMessage,
    SubmissionStatus,
)
from madoguchi.procedures.services import common
from madoguchi.testing.factories import UserFactory
from madoguchi.testing.tenancy import TenantIsolation, TenantPair, sign_in

from .applicant_factories import request_correction, submission_of

pytestmark = pytest.mark.django_db

S = SubmissionStatus


@pytest.fixture
def resident(db: None) -> User:
    return UserFactory.create(email="hanako@example.jp")


def _detail(submission: object) -> str:
    return f"/kasama/procedures/my/{submission.public_id}/"  # type: ignore[attr-defined]


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, kasama: Municipality, resident: User) -> None:
    submission = submission_of(kasama, resident)
    for url in ("/kasama/procedures/my/", _detail(submission), _detail(submission) + "correct/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    response = client.post(_detail(submission) + "withdraw/", {"confirm": "on"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == S.RECEIVED


def test_my_submissions_lists_sent_ones_with_status_and_fee_and_drafts_apart(
    client: Client, kasama: Municipality, resident: User
) -> None:
    sent = submission_of(kasama, resident, fee_amount=600)
    completed = submission_of(kasama, resident, status=S.COMPLETED)
    draft = submission_of(kasama, resident, status=S.DRAFT, number="", submitted_at=None)
    theirs = submission_of(kasama, UserFactory.create())
    sign_in(client, resident)
    page = client.get("/kasama/procedures/my/")
    body = page.content.decode()
    assert page.status_code == 200
    assert sent.number in body
    assert completed.number in body
    assert theirs.number not in body
    assert "受付" in body
    assert "完了" in body
    assert "status-badge__icon" in body  # an icon beside the text
    assert "請求前" in body  # a fee not invoiced yet
    assert "続きから入力" in body
    assert f"/kasama/procedures/p/{draft.procedure.slug}/apply/" in body
    entry = AuditEntry.objects.filter(action="view", object_type="procedures.submission").latest("sequence")
    assert entry.personal_data
    assert entry.subject_id == resident.pk
    assert entry.extra["count"] == 2
    filtered = client.get("/kasama/procedures/my/?status=completed").content.decode()
    assert completed.number in filtered
    assert sent.number not in filtered
    assert "続きから入力" not in filtered


def test_the_submission_page_shows_the_timeline_without_internal_events(
    client: Client, kasama: Municipality, resident: User
) -> None:
    submission = submission_of(kasama, resident)
    common.record_event(submission, EventKind.ASSIGNED, reason="内部の割当てメモ", visible_to_applicant=False)
    common.change_status(submission, S.IN_REVIEW, who="staff")
    sign_in(client, resident)
    page = client.get(_detail(submission))
    body = page.content.decode()
    assert page.status_code == 200
    assert "内部の割当てメモ" not in body
    assert "状態が「審査中」になりました" in body
    assert '<ol class="timeline">' in body
    assert 'aria-current="step"' in body
    # The answers, read with the submission's own form version.
    assert "茨城県笠間市中央三丁目2番1号" in body
    assert "世帯全員" in body
    assert f"/kasama/procedures/apply/{submission.public_id}/receipt.pdf" in body
    # In review: no withdrawing alone, and why.
    assert "審査が始まっているため" in body
    entry = AuditEntry.objects.filter(action="view", object_id=str(submission.pk)).latest("sequence")
    assert entry.extra["what"] == "applicant_detail"
    assert entry.actor_id == resident.pk


def test_only_the_applicant_sees_a_submission(client: Client, two_municipalities: TenantPair) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    mine = submission_of(home.municipality, home.resident)
    neighbour: User = UserFactory.create()
    theirs = submission_of(home.municipality, neighbour)
    elsewhere = submission_of(other.municipality, home.resident)
    iso = TenantIsolation(client, two_municipalities)
    iso.assert_page_excludes(
        f"/{home.slug}/procedures/my/", as_user=home.resident, markers=[theirs.number, elsewhere.number]
    )
    for suffix, methods in (("", ["get"]), ("message/", ["post"]), ("withdraw/", ["get", "post"])):
        iso.assert_unreachable(
            f"/{home.slug}/procedures/my/{theirs.public_id}/{suffix}",
            obj=theirs,
            as_user=home.resident,
            methods=methods,
        )
        # The resident's own submission in another municipality is not reachable from here.
        iso.assert_unreachable(
            f"/{home.slug}/procedures/my/{elsewhere.public_id}/{suffix}",
            obj=elsewhere,
            as_user=home.resident,
            methods=methods,
        )
        # Staff are not applicants: the applicant's page is not theirs either.
        iso.assert_unreachable(
            f"/{home.slug}/procedures/my/{mine.public_id}/{suffix}", obj=mine, as_user=home.staff, methods=methods
        )
    sign_in(client, neighbour)
    assert client.get(f"/{home.slug}/procedures/my/{mine.public_id}/").status_code == 404
    assert client.get(f"/{home.slug}/procedures/my/{mine.public_id}/correct/").status_code == 404


def test_a_message_posted_twice_is_sent_once(client: Client, kasama: Municipality, resident: User) -> None:
    submission = submission_of(kasama, resident)
    sign_in(client, resident)
    url = _detail(submission) + "message/"
    first = client.post(url, {"body": "郵送の場合、いつ届きますか。"})
    second = client.post(url, {"body": "郵送の場合、いつ届きますか。"})
    assert first.status_code == second.status_code == 302
    assert SubmissionMessage.objects.filter(submission=submission).count() == 1
    page = client.get(_detail(submission)).content.decode()
    assert "郵送の場合、いつ届きますか。" in page
    assert "担当課にメッセージを送信しました" in page


def test_an_empty_message_is_refused_on_the_page(client: Client, kasama: Municipality, resident: User) -> None:
    submission = submission_of(kasama, resident)
    sign_in(client, resident)
    response = client.post(_detail(submission) + "message/", {"body": "  "})
    assert response.status_code == 200
    assert "メッセージを入力してください。" in response.content.decode()
    assert not SubmissionMessage.objects.exists()


def test_withdrawing_asks_for_confirmation_then_withdraws_once(
    client: Client, kasama: Municipality, resident: User
) -> None:
    submission = submission_of(kasama, resident)
    sign_in(client, resident)
    url = _detail(submission) + "withdraw/"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "取り下げる" in confirm.content.decode()
    unconfirmed = client.post(url, {"reason": "不要になりました"})
    assert unconfirmed.status_code == 200
    assert "確認のチェックを入れてください" in unconfirmed.content.decode()
    assert "不要になりました" in unconfirmed.content.decode()  # nothing typed is lost
    submission.refresh_from_db()
    assert submission.status == S.RECEIVED
    done = client.post(url, {"reason": "不要になりました", "confirm": "on"})
    again = client.post(url, {"reason": "不要になりました", "confirm": "on"})
    assert done.status_code == again.status_code == 302
    submission.refresh_from_db()
    assert submission.status == S.WITHDRAWN
    assert submission.events.filter(kind=EventKind.STATUS, to_status=S.WITHDRAWN).count() == 1
    page = client.get(_detail(submission)).content.decode()
    assert "この申請は取り下げられています。" in page


def test_withdrawing_in_review_is_refused_with_a_clear_message(
    client: Client, kasama: Municipality, resident: User
) -> None:
    submission = submission_of(kasama, resident, status=S.IN_REVIEW)
    sign_in(client, resident)
    response = client.post(_detail(submission) + "withdraw/", {"confirm": "on"}, follow=True)
    assert "審査が始まっているため、ご自身では取り下げられません。" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == S.IN_REVIEW


def test_answering_a_correction_on_its_page(client: Client, kasama: Municipality, resident: User) -> None:
    submission = submission_of(kasama, resident)
    correction = request_correction(submission, fields=["address"], message="番地が抜けています。")
    sign_in(client, resident)
    detail = client.get(_detail(submission)).content.decode()
    assert "補正をお願いします" in detail
    assert "番地が抜けています。" in detail
    url = _detail(submission) + "correct/"
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "番地が抜けています。" in body
    assert 'name="fix-address"' in body
    assert "茨城県笠間市中央三丁目2番1号" in body  # prefilled
    assert 'name="fix-name"' not in body  # only the fields the request names
    # A required field left empty: refused with its name, the explanation kept.
    refused = client.post(url, {"fix-address": "", "answer_message": "直しました"})
    assert refused.status_code == 200
    assert "「住所」を入力してください。" in refused.content.decode()
    assert "直しました" in refused.content.decode()
    submission.refresh_from_db()
    assert submission.status == S.CORRECTION_REQUESTED
    answered = client.post(url, {"fix-address": "茨城県笠間市中央三丁目2番1号 101", "answer_message": "直しました"})
    assert answered.status_code == 302
    submission.refresh_from_db()
    correction.refresh_from_db()
    assert submission.status == S.IN_REVIEW
    assert submission.data["address"] == "茨城県笠間市中央三丁目2番1号 101"
    assert correction.status == CorrectionStatus.ANSWERED
    page_after = client.get(_detail(submission)).content.decode()
    assert "補正を提出しました" in page_after
    # No request open any more: the page says so instead of a form.
    closed = client.get(url, follow=True)
    assert "回答が必要な補正依頼がありません" in closed.content.decode()
