"""Submitting: what is checked, the number, department, due date and fee, the e-mail,
that a double click submits once, that numbers stay unique under concurrent submits,
the submitted page and the receipt PDF."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from pypdf import PdfReader

from madoguchi.accounts.models import User
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.japanese.holidays import add_business_days
from madoguchi.notifications.models import OutboundMessage
from madoguchi.procedures.models import EventKind, IdentityLevel, Submission, SubmissionStatus
from madoguchi.procedures.services import applying, common
from madoguchi.procedures.tests.factories import SubmissionFactory, sample_data
from madoguchi.testing.factories import UserFactory
from madoguchi.testing.tenancy import sign_in

from .applying_helpers import fill, make_procedure, start, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident() -> User:
    user: User = UserFactory.create(email="hanako@resident.example")
    return user


@pytest.fixture
def client(resident: User) -> Client:
    c = Client()
    sign_in(c, resident)
    return c


def _confirm(client: Client, submission: Submission, key: str = "key-1"):  # type: ignore[no-untyped-def]
    return client.post(
        url("confirm", submission.municipality, public_id=submission.public_id), {"idempotency_key": key}
    )


def test_submit_gives_number_department_due_date_fee_and_email(
    kasama: Municipality, client: Client, resident: User
) -> None:
    procedure = make_procedure(kasama, processing_days=5)
    draft = start(client, procedure)
    fill(client, draft)
    confirm_page = client.get(url("confirm", kasama, public_id=draft.public_id)).content.decode()
    assert 'name="idempotency_key"' in confirm_page
    assert "600円" in confirm_page
    response = _confirm(client, draft)
    assert response["Location"] == url("submitted", kasama, public_id=draft.public_id)
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.RECEIVED
    assert draft.number.startswith(f"{draft.submitted_at.year}-")  # type: ignore[union-attr]
    assert draft.department == procedure.department
    assert draft.fee_amount == 600
    assert draft.applicant_name == "笠間\u3000花子"
    assert draft.applicant_email == "hanako@example.jp"
    from django.utils import timezone

    assert draft.due_on == add_business_days(timezone.localdate(draft.submitted_at), 5)
    kinds = list(draft.events.values_list("kind", flat=True))
    assert EventKind.SUBMITTED in kinds
    assert EventKind.STATUS in kinds
    message = OutboundMessage.objects.get(template_key="procedures/submission_received")
    assert draft.number in message.subject
    assert "600" in message.body_text
    assert AuditEntry.objects.filter(object_id=str(draft.pk), action="create").exists()
    page = client.get(url("submitted", kasama, public_id=draft.public_id)).content.decode()
    assert draft.number in page
    assert "受付票（PDF）をダウンロード" in page
    # The draft is gone from the list of drafts.
    assert not applying.drafts_of(resident, kasama).exists()


def test_double_submit_makes_one_submission_with_one_number(kasama: Municipality, client: Client) -> None:
    procedure = make_procedure(kasama)
    draft = start(client, procedure)
    fill(client, draft)
    first = _confirm(client, draft, key="same")
    second = _confirm(client, draft, key="same")
    assert first["Location"] == second["Location"]
    assert Submission.objects.exclude(number="").count() == 1
    assert OutboundMessage.objects.filter(template_key="procedures/submission_received").count() == 1
    draft.refresh_from_db()
    assert draft.events.filter(kind=EventKind.SUBMITTED).count() == 1
    # The service called again (a retried request) returns the same submission.
    again = applying.submit(draft, idempotency_key="same")
    assert again.pk == draft.pk
    assert again.number == draft.number


def test_missing_required_answers_are_refused_and_lead_back_to_the_step(kasama: Municipality, client: Client) -> None:
    procedure = make_procedure(kasama)
    draft = start(client, procedure)
    response = _confirm(client, draft)
    assert response["Location"] == url("step", kasama, public_id=draft.public_id, index=1)
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.DRAFT
    assert draft.number == ""
    with pytest.raises(common.ProcedureError) as error:
        applying.submit(draft, idempotency_key="x")
    assert error.value.code == "missing"


def test_a_required_signature_must_be_there_before_submitting(kasama: Municipality, client: Client) -> None:
    procedure = make_procedure(kasama, identity_level=IdentityLevel.SIGNATURE)
    draft = start(client, procedure)
    fill(client, draft)
    page = client.get(url("confirm", kasama, public_id=draft.public_id)).content.decode()
    assert "電子署名" in page
    assert url("sign", kasama, public_id=draft.public_id) in page
    response = _confirm(client, draft)
    assert response.status_code == 400
    assert "電子署名が必要です" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.DRAFT


def test_anonymous_submission_uses_the_forms_email(kasama: Municipality) -> None:
    procedure = make_procedure(kasama, identity_level=IdentityLevel.NONE)
    client = Client()
    draft = start(client, procedure)
    fill(client, draft)
    _confirm(client, draft)
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.RECEIVED
    assert draft.applicant is None
    message = OutboundMessage.objects.get(template_key="procedures/submission_received")
    assert message.address == "hanako@example.jp"
    assert client.get(url("submitted", kasama, public_id=draft.public_id)).status_code == 200
    assert client.get(url("receipt", kasama, public_id=draft.public_id)).status_code == 200
    assert Client().get(url("receipt", kasama, public_id=draft.public_id)).status_code == 404


def test_receipt_pdf_holds_the_number_and_is_an_audited_read(
    kasama: Municipality, client: Client, resident: User
) -> None:
    procedure = make_procedure(kasama, name_ja="住民票の写し交付請求")
    draft = start(client, procedure)
    fill(client, draft)
    _confirm(client, draft)
    draft.refresh_from_db()
    response = client.get(url("receipt", kasama, public_id=draft.public_id))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert draft.number in text
    assert reader.metadata is not None
    assert draft.number in str(reader.metadata.title)
    entry = AuditEntry.objects.filter(object_id=str(draft.pk), action="view").latest("pk")
    assert entry.extra.get("what") == "receipt"
    assert entry.personal_data
    stranger = Client()
    sign_in(stranger, UserFactory.create())
    assert stranger.get(url("receipt", kasama, public_id=draft.public_id)).status_code == 404


def test_submission_is_not_reachable_under_another_municipality(
    kasama: Municipality, mito: Municipality, client: Client
) -> None:
    submission = SubmissionFactory.create(
        form_version__procedure=make_procedure(kasama), applicant=None, data=sample_data()
    )
    for name in ("submitted", "receipt", "confirm"):
        assert client.get(url(name, mito, public_id=submission.public_id)).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_get_unique_numbers(kasama: Municipality) -> None:
    procedure = make_procedure(kasama)
    drafts = []
    for _n in range(8):
        user = UserFactory.create()
        drafts.append(
            Submission.objects.create(
                municipality=kasama,
                procedure=procedure,
                form_version=procedure.current_version(),
                department=procedure.department,
                applicant=user,
                data=sample_data(),
                status=SubmissionStatus.DRAFT,
            )
        )
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(drafts))

    def send(draft: Submission) -> None:
        try:
            barrier.wait()
            for attempt in range(20):
                try:
                    applying.submit(draft, idempotency_key=f"k-{draft.pk}")
                    return
                except Exception as exc:  # SQLite: "database is locked" under contention
                    if "locked" not in str(exc) or attempt == 19:
                        raise
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=send, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = list(Submission.objects.filter(procedure=procedure).values_list("number", flat=True))
    assert len(numbers) == 8
    assert "" not in numbers
    assert len(set(numbers)) == 8
    assert sorted(int(n.split("-")[1]) for n in numbers) == list(range(1, 9))


def test_due_date_skips_holidays(kasama: Municipality) -> None:
    # 2026-05-01 (Fri) + 3 business days = 2026-05-11 over Golden Week.
    assert add_business_days(dt.date(2026, 5, 1), 3) == dt.date(2026, 5, 11)
