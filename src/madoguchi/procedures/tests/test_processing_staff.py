"""The 電子申請 console screens of staff processing: the inbox (scoping, filters, search,
overdue, CSV export), the submission's details (reason first, audited, its own form
version), the actions through the page, and the dashboard's numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from madoguchi.accounts.models import Role, User
from madoguchi.audit import access
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.procedures.models import (
    Attachment,
    CorrectionRequest,
    FormVersion,
    InternalNote,
    Submission,
    SubmissionStatus,
)
from madoguchi.procedures.services import processing, processing_stats
from madoguchi.testing.factories import DepartmentFactory, UserFactory, make_staff
from madoguchi.testing.tenancy import sign_in

from .factories import FormVersionFactory, ProcedureFactory, SubmissionFactory, sample_definition

pytestmark = pytest.mark.django_db

S = SubmissionStatus
INBOX = "/staff/procedures/inbox/"
DASHBOARD = "/staff/procedures/dashboard/"


def make_submission(municipality: Municipality, procedure: Any = None, **kwargs: Any) -> Submission:
    procedure = procedure or ProcedureFactory.create(municipality=municipality)
    version = FormVersionFactory.create(procedure=procedure)
    kwargs.setdefault("applicant", UserFactory.create())
    return SubmissionFactory.create(form_version=version, **kwargs)


def staff_in(municipality: Municipality, department: Any, *roles: str) -> User:
    user = make_staff(municipality, *roles, mfa=True)
    user.staff_profile.department = department
    user.staff_profile.save()
    return User.objects.get(pk=user.pk)


def login(client: Client, user: User) -> Client:
    sign_in(client, user)
    return client


def detail(submission: Submission) -> str:
    return f"{INBOX}{submission.public_id}/"


def give_reason(client: Client, submission: Submission) -> None:
    subject = submission.applicant if submission.applicant is not None else submission
    client.post(
        reverse("audit_access_reason"),
        {
            "key": access.subject_key_for(subject),
            "next": detail(submission),
            "purpose": "casework",
            "detail": "申請の審査のため",
        },
    )


def open_detail(client: Client, submission: Submission) -> Any:
    first = client.get(detail(submission))
    if first.status_code != 302 or "access-reason" not in first["Location"]:
        return first
    give_reason(client, submission)
    return client.get(detail(submission))


def fresh(submission: Submission) -> Submission:
    return Submission.objects.get(pk=submission.pk)


def test_the_inbox_shows_the_departments_open_submissions_by_due_date(client: Client, kasama: Municipality) -> None:
    today = timezone.localdate()
    procedure = ProcedureFactory.create(municipality=kasama)
    later = make_submission(kasama, procedure, due_on=today + dt.timedelta(days=5))
    sooner = make_submission(kasama, procedure, due_on=today + dt.timedelta(days=1))
    closed = make_submission(kasama, procedure, status=S.COMPLETED)
    draft = make_submission(kasama, procedure, status=S.DRAFT, number="")
    other_department = make_submission(kasama)
    clerk = staff_in(kasama, procedure.department, Role.COUNTER_CLERK)
    body = login(client, clerk).get(INBOX).content.decode()
    assert sooner.number in body
    assert later.number in body
    assert body.index(sooner.number) < body.index(later.number)
    assert closed.number not in body
    assert other_department.number not in body
    assert str(draft.public_id) not in body
    # All statuses on request; the department filter only for those who see all.
    body = client.get(INBOX, {"status": "all"}).content.decode()
    assert closed.number in body
    assert 'name="department"' not in body
    entry = AuditEntry.objects.filter(object_type="procedures.submission", action="view").latest("pk")
    assert entry.personal_data
    assert entry.extra["criteria"] == {"status": "all"}
    assert entry.extra["count"] == 3


def test_filters_and_search(client: Client, kasama: Municipality) -> None:
    procedure = ProcedureFactory.create(municipality=kasama)
    clerk = staff_in(kasama, procedure.department, Role.COUNTER_CLERK)
    hanako = make_submission(kasama, procedure, assignee=clerk)
    taro = make_submission(
        kasama,
        procedure,
        applicant_name="友部 太郎",
        applicant_email="taro@example.jp",
        data={"name": "友部 太郎", "name_kana": "トモベ タロウ", "address": "笠間市"},
        due_on=timezone.localdate() - dt.timedelta(days=2),
    )
    login(client, clerk)

    def listed(**params: str) -> set[str]:
        body = client.get(INBOX, params).content.decode()
        return {s.number for s in (hanako, taro) if s.number in body}

    assert listed(assignee="me") == {hanako.number}
    assert listed(assignee="none") == {taro.number}
    assert listed(overdue="1") == {taro.number}
    assert listed(procedure=str(procedure.pk)) == {hanako.number, taro.number}
    for query in (taro.number, "友部", "ともべ", "ﾄﾓﾍﾞ", "taro@example.jp", "ともべ たろう"):
        assert listed(q=query) == {taro.number}, query
    assert listed(q="かさま") == {hanako.number}
    today = timezone.localdate().isoformat()
    assert listed(submitted_from=today, submitted_to=today) == {hanako.number, taro.number}
    assert listed(submitted_from="2000-01-01", submitted_to="2000-01-02") == set()


def test_overdue_is_marked_with_words_not_colour_alone(client: Client, kasama: Municipality) -> None:
    late = make_submission(kasama, due_on=timezone.localdate() - dt.timedelta(days=1))
    admin = make_staff(kasama, Role.MUNICIPAL_ADMIN, mfa=True)
    body = login(client, admin).get(INBOX).content.decode()
    row = body[body.index(late.number) :]
    assert "期限超過" in row[: row.index("</tr>")]
    assert 'name="department"' in body


def test_csv_export_is_formula_safe_and_audited(client: Client, kasama: Municipality) -> None:
    evil = make_submission(kasama, applicant_name='=HYPERLINK("http://x")', applicant_email="a@example.jp")
    clerk = staff_in(kasama, evil.department, Role.COUNTER_CLERK)
    response = login(client, clerk).get(INBOX, {"export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "受付番号"
    assert any(cell.startswith("'=HYPERLINK") for cell in rows[1])
    assert not any(cell.startswith("=") for row in rows for cell in row)
    entry = AuditEntry.objects.get(object_type="procedures.submission", action="export")
    assert entry.personal_data
    assert entry.extra["rows"] == 1


def test_an_auditor_cannot_export(client: Client, kasama: Municipality) -> None:
    make_submission(kasama)
    auditor = make_staff(kasama, Role.AUDITOR, mfa=True)
    assert login(client, auditor).get(INBOX, {"export": "csv"}).status_code in {302, 403}
    assert not AuditEntry.objects.filter(object_type="procedures.submission", action="export").exists()


def test_the_detail_asks_a_reason_then_shows_the_submission_with_its_own_form_version(
    client: Client, kasama: Municipality
) -> None:
    submission = make_submission(kasama)
    # The form changes after the submission: a label is renamed, a field removed.
    definition = sample_definition()
    definition["steps"][0]["fields"][4]["label"] = {"ja": "現住所（新）", "en": "Address (new)"}
    FormVersion.objects.create(
        municipality=kasama, procedure=submission.procedure, number=99, definition=definition,
        published_at=timezone.now(),
    )  # fmt: skip
    clerk = staff_in(kasama, submission.department, Role.COUNTER_CLERK)
    login(client, clerk)
    first = client.get(detail(submission))
    assert first.status_code == 302
    assert "access-reason" in first["Location"]
    assert not AuditEntry.objects.filter(object_id=str(submission.pk), action="view").exists()
    response = open_detail(client, submission)
    body = response.content.decode()
    assert response.status_code == 200
    assert "茨城県笠間市中央三丁目2番1号" in body
    assert "住所" in body
    assert "現住所（新）" not in body
    assert "世帯全員" in body
    entry = AuditEntry.objects.filter(object_id=str(submission.pk), action="view").get()
    assert entry.personal_data
    assert "申請の審査のため" in entry.reason


def test_another_departments_and_municipalitys_submissions_are_404(
    client: Client, kasama: Municipality, mito: Municipality
) -> None:
    submission = make_submission(kasama)
    theirs = make_submission(mito)
    outsider = staff_in(kasama, DepartmentFactory.create(municipality=kasama), Role.DEPARTMENT_HEAD)
    login(client, outsider)
    assert client.get(detail(submission)).status_code == 404
    assert client.post(detail(submission), {"action": "start_review"}).status_code == 404
    admin = make_staff(kasama, Role.MUNICIPAL_ADMIN, mfa=True)
    login(client, admin)
    assert client.get(detail(theirs)).status_code == 404
    assert client.post(detail(theirs), {"action": "start_review"}).status_code == 404
    assert fresh(theirs).status == S.RECEIVED
    resident = UserFactory.create()
    login(client, resident)
    assert client.get(detail(submission)).status_code in {302, 403}


def test_actions_through_the_page(client: Client, kasama: Municipality) -> None:
    submission = make_submission(kasama)
    clerk = staff_in(kasama, submission.department, Role.COUNTER_CLERK)
    login(client, clerk)
    body = open_detail(client, submission).content.decode()
    assert 'value="start_review"' in body
    assert 'value="approve"' not in body
    client.post(detail(submission), {"action": "assign_self"})
    assert fresh(submission).assignee == clerk
    client.post(detail(submission), {"action": "start_review"})
    again = client.post(detail(submission), {"action": "start_review"})
    assert again.status_code == 302
    assert fresh(submission).status == S.IN_REVIEW
    # A clerk may not decide.
    assert client.post(detail(submission), {"action": "approve"}).status_code in {302, 403}
    assert fresh(submission).status == S.IN_REVIEW
    # Bad input: a clear error on the form, nothing changed.
    bad = client.post(detail(submission), {"action": "request_correction", "correction-message": ""})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "この項目は必須です" in text[text.index("id_correction-message-label") :]
    assert fresh(submission).status == S.IN_REVIEW
    client.post(
        detail(submission),
        {"action": "request_correction", "correction-message": "番地を", "correction-field_keys": ["address"]},
    )
    assert fresh(submission).status == S.CORRECTION_REQUESTED
    assert CorrectionRequest.objects.get(submission=submission).fields == ["address"]
    client.post(detail(submission), {"action": "note", "note-body": "電話で確認"})
    assert InternalNote.objects.filter(submission=submission, author=clerk).count() == 1


def test_an_approver_decides_and_a_rejection_needs_a_reason(client: Client, kasama: Municipality) -> None:
    submission = make_submission(kasama, status=S.IN_REVIEW)
    approver = staff_in(kasama, submission.department, Role.APPROVER)
    login(client, approver)
    body = open_detail(client, submission).content.decode()
    assert 'value="approve"' in body
    assert 'value="reject"' in body
    response = client.post(detail(submission), {"action": "reject", "reject-reason": ""})
    assert response.status_code == 400
    assert fresh(submission).status == S.IN_REVIEW
    client.post(detail(submission), {"action": "approve"})
    client.post(detail(submission), {"action": "approve"})
    assert fresh(submission).status == S.APPROVED
    assert submission.events.filter(to_status=S.APPROVED).count() == 1


def test_complete_is_refused_on_the_page_while_the_fee_is_unpaid(client: Client, kasama: Municipality) -> None:
    from madoguchi.procedures.models import FeeTiming
    from madoguchi.procedures.services import fees

    procedure = ProcedureFactory.create(municipality=kasama, fee_timing=FeeTiming.ON_SUBMISSION)
    submission = make_submission(kasama, procedure, status=S.APPROVED, fee_amount=600)
    assert fees.on_submitted(submission) is not None
    clerk = staff_in(kasama, submission.department, Role.COUNTER_CLERK)
    login(client, clerk)
    open_detail(client, submission)
    response = client.post(detail(submission), {"action": "complete"})
    assert response.status_code == 400
    assert "手数料が未納のため完了にできません" in response.content.decode()
    assert fresh(submission).status == S.APPROVED


def test_attachments_download_after_the_reason_and_are_audited(client: Client, kasama: Municipality) -> None:
    from django.core.files.base import ContentFile

    submission = make_submission(kasama)
    attachment = Attachment(
        municipality=kasama, submission=submission, field_key="id_document", original_name="免許証.pdf",
        content_type="application/pdf", size=9, sha256="0" * 64,
    )  # fmt: skip
    attachment.file.save("x", ContentFile(b"%PDF-1.4\n"), save=True)
    clerk = staff_in(kasama, submission.department, Role.COUNTER_CLERK)
    login(client, clerk)
    url = f"{detail(submission)}attachments/{attachment.pk}/"
    assert "access-reason" in client.get(url)["Location"]
    give_reason(client, submission)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEntry.objects.filter(object_id=str(submission.pk), extra__what="attachment").exists()


def test_the_dashboard_counts_what_the_staff_member_may_see(client: Client, kasama: Municipality) -> None:
    procedure = ProcedureFactory.create(municipality=kasama, name_ja="転入届")
    now = timezone.now()
    for days in (2, 4, 10):
        make_submission(
            kasama, procedure, status=S.COMPLETED, submitted_at=now - dt.timedelta(days=20),
            closed_at=now - dt.timedelta(days=20 - days),
        )  # fmt: skip
    make_submission(kasama, procedure, due_on=timezone.localdate() - dt.timedelta(days=1))
    make_submission(kasama, status=S.IN_REVIEW)  # another department
    clerk = staff_in(kasama, procedure.department, Role.COUNTER_CLERK)
    queryset = processing.visible_submissions(clerk, kasama)
    times, _durations = processing_stats.completion_times(queryset)
    assert [(t.procedure, t.count, t.median_days) for t in times] == [("転入届", 3, 4.0)]
    assert times[0].buckets["2–3"] == 1
    assert times[0].buckets["4–7"] == 1
    assert times[0].buckets["8–14"] == 1
    assert sum(w.count for w in processing_stats.weekly_counts(queryset)) == 4
    assert {code: n for code, _label, n in processing_stats.status_counts(queryset)}[S.COMPLETED] == 3
    assert {code: n for code, _label, n in processing_stats.status_counts(queryset)}[S.IN_REVIEW] == 0

    body = login(client, clerk).get(DASHBOARD).content.decode()
    assert "転入届" in body
    assert "期限超過 1件" in body
    assert "<svg" in body
    assert "<table" in body
    assert "中央値 4.0日" in body


def test_staff_without_the_permission_do_not_get_in(client: Client, kasama: Municipality) -> None:
    resident = UserFactory.create()
    login(client, resident)
    assert client.get(INBOX).status_code in {302, 403}
    assert client.get(DASHBOARD).status_code in {302, 403}
