"""Fees through payments: real invoices and real payments (no mocks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.japanese.holidays import is_business_day
from madoguchi.payments import services as payments
from madoguchi.payments.models import Channel, Invoice, InvoiceStatus, Item
from madoguchi.procedures import signals
from madoguchi.procedures.models import EventKind, FeeTiming, Submission, SubmissionEvent, SubmissionStatus
from madoguchi.procedures.services import common, fees
from madoguchi.testing.factories import UserFactory

from .factories import FormVersionFactory, ProcedureFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _receivers() -> None:
    # apps.ready() connects them once the lead wires `signals.connect()`; connecting
    # again is harmless (dispatch_uid).
    signals.connect()


def make_submission(municipality: Municipality, *, timing: str = FeeTiming.ON_SUBMISSION, fee: int = 600) -> Submission:
    procedure = ProcedureFactory.create(municipality=municipality, fee_timing=timing)
    version = FormVersionFactory.create(procedure=procedure)
    user = UserFactory.create(email=f"applicant-{procedure.pk}@example.jp")
    return SubmissionFactory.create(form_version=version, applicant=user, fee_amount=fee)


def pay(invoice: Invoice, capture: Any, *, reference: str = "card-1", amount: int | None = None) -> None:
    with capture(execute=True):
        payments.record_payment(
            invoice,
            channel=Channel.ONLINE_CARD,
            reference=reference,
            amount=invoice.amount if amount is None else amount,
            paid_on=timezone.localdate(),
        )


def events(submission: Submission, kind: str) -> list[SubmissionEvent]:
    return list(SubmissionEvent.objects.filter(submission=submission, kind=kind))


def test_fiscal_year_runs_from_april() -> None:
    assert fees.fiscal_year_of(dt.date(2026, 3, 31)) == 2025
    assert fees.fiscal_year_of(dt.date(2026, 4, 1)) == 2026


def test_on_submission_issues_one_invoice_even_when_called_twice(kasama: Municipality) -> None:
    submission = make_submission(kasama)
    first = fees.on_submitted(submission)
    again = fees.on_submitted(submission)
    assert first is not None
    assert again is not None
    assert again.pk == first.pk
    assert Invoice.objects.filter(origin_type="procedures.submission", origin_id=str(submission.pk)).count() == 1
    assert first.item == Item.FEE
    assert first.amount == 600
    assert first.payer == submission.applicant
    assert first.payer_name == "笠間 花子"
    assert submission.procedure.name_ja in first.description
    assert submission.number in first.description
    assert first.return_url == common.applicant_url(submission)
    assert first.fiscal_year == fees.fiscal_year_of(timezone.localdate())
    assert first.due_date > timezone.localdate()
    assert is_business_day(first.due_date)
    assert first.payable_until > first.due_date
    assert len(events(submission, EventKind.INVOICE)) == 1
    assert fees.invoice_for(submission) == first
    assert not fees.is_settled(submission)
    # The applicant is told once, with the invoice number.
    from madoguchi.notifications.models import OutboundMessage

    sent = OutboundMessage.objects.filter(template_key="procedures/fee_due")
    assert sent.count() == 1
    assert first.number in sent.get().body_text


def test_paying_sets_fee_paid_at_once_even_if_the_signal_comes_twice(
    kasama: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    submission = make_submission(kasama)
    invoice = fees.on_submitted(submission)
    assert invoice is not None
    pay(invoice, django_capture_on_commit_callbacks)
    submission.refresh_from_db()
    paid_at = submission.fee_paid_at
    assert paid_at is not None
    assert fees.is_settled(submission)
    # The same notice again, delivered by a retry.
    invoice.refresh_from_db()
    payments.invoice_settled.send(sender=Invoice, invoice=invoice)
    payments.invoice_status_changed.send(sender=Invoice, invoice=invoice, previous=InvoiceStatus.UNPAID)
    submission.refresh_from_db()
    assert submission.fee_paid_at == paid_at
    paid_events = events(submission, EventKind.PAID)
    assert len(paid_events) == 1
    assert paid_events[0].data["invoice"] == invoice.number
    assert paid_events[0].visible_to_applicant
    audits = AuditEntry.objects.filter(
        object_type="procedures.submission", object_id=str(submission.pk), fields=["fee_paid_at"]
    )
    assert audits.count() == 1
    assert audits.get().personal_data


def test_a_partial_payment_does_not_settle_and_an_overpayment_does(
    kasama: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    submission = make_submission(kasama)
    invoice = fees.on_submitted(submission)
    assert invoice is not None
    pay(invoice, django_capture_on_commit_callbacks, reference="p-1", amount=300)
    submission.refresh_from_db()
    assert submission.fee_paid_at is None
    assert not fees.is_settled(submission)
    # 300 + 500 > 600: overpaid (no invoice_settled, only a status change) still settles.
    pay(invoice, django_capture_on_commit_callbacks, reference="p-2", amount=500)
    submission.refresh_from_db()
    assert submission.fee_paid_at is not None
    assert fees.is_settled(submission)


def test_on_approval_procedures_are_invoiced_when_approved(
    kasama: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    submission = make_submission(kasama, timing=FeeTiming.ON_APPROVAL, fee=400)
    assert fees.on_submitted(submission) is None
    assert fees.invoice_for(submission) is None
    assert not fees.is_settled(submission)  # owed, not invoiced yet: not completable
    invoice = fees.on_approved(submission)
    assert invoice is not None
    assert invoice.amount == 400
    assert fees.on_approved(submission) == invoice
    pay(invoice, django_capture_on_commit_callbacks)
    submission.refresh_from_db()
    assert submission.fee_paid_at is not None
    assert fees.is_settled(submission)


def test_no_fee_issues_nothing_and_is_settled(kasama: Municipality) -> None:
    free = make_submission(kasama, fee=0)
    assert fees.on_submitted(free) is None
    assert fees.is_settled(free)
    none_timing = make_submission(kasama, timing=FeeTiming.NONE, fee=300)
    assert fees.on_submitted(none_timing) is None
    assert fees.on_approved(none_timing) is None
    assert fees.is_settled(none_timing)
    assert not Invoice.objects.filter(origin_type="procedures.submission").exists()


def test_withdrawing_cancels_the_unpaid_invoice(kasama: Municipality) -> None:
    submission = make_submission(kasama)
    invoice = fees.on_submitted(submission)
    assert invoice is not None
    withdrawn = common.change_status(
        submission, SubmissionStatus.WITHDRAWN, who="applicant", actor=submission.applicant, notify_applicant=False
    )
    fees.on_closed(withdrawn)
    fees.on_closed(withdrawn)  # also called by change_status once wired: harmless
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    assert invoice.cancel_reason == "申請の取下げ"
    assert fees.invoice_for(withdrawn) is None
    cancelled = [e for e in events(submission, EventKind.INVOICE) if e.data.get("cancelled")]
    assert len(cancelled) == 1
    # Paying a cancelled invoice is refused by payments.
    with pytest.raises(payments.PaymentError):
        payments.record_payment(
            invoice, channel=Channel.COUNTER, reference="late", amount=600, paid_on=timezone.localdate()
        )


def test_a_paid_invoice_is_not_cancelled_and_completion_keeps_it(
    kasama: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    submission = make_submission(kasama)
    invoice = fees.on_submitted(submission)
    assert invoice is not None
    pay(invoice, django_capture_on_commit_callbacks)
    rejected = common.change_status(
        submission, SubmissionStatus.REJECTED, who="staff", reason="要件を満たさない", notify_applicant=False
    )
    assert fees.on_closed(rejected) is None
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_tenants_are_kept_apart(
    kasama: Municipality, mito: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    ours = make_submission(kasama)
    theirs = make_submission(mito)
    ours_invoice = fees.on_submitted(ours)
    theirs_invoice = fees.on_submitted(theirs)
    assert ours_invoice is not None
    assert theirs_invoice is not None
    assert ours_invoice.municipality_id == kasama.pk
    assert theirs_invoice.municipality_id == mito.pk
    # An invoice of another municipality naming our submission does not pay it.
    forged = payments.create_invoice(
        municipality=mito,
        item=Item.FEE,
        fiscal_year=2026,
        amount=600,
        due_date=timezone.localdate(),
        payer_name="誰か",
        origin=ours,
        source_reference=fees.fee_reference(ours),
    )
    assert forged.municipality_id == mito.pk
    assert fees.invoice_for(ours) == ours_invoice
    pay(forged, django_capture_on_commit_callbacks, reference="forged")
    ours.refresh_from_db()
    assert ours.fee_paid_at is None
    pay(theirs_invoice, django_capture_on_commit_callbacks, reference="theirs")
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.fee_paid_at is None
    assert theirs.fee_paid_at is not None


def test_other_invoices_are_ignored(kasama: Municipality, django_capture_on_commit_callbacks: Any) -> None:
    invoice = payments.create_invoice(
        municipality=kasama,
        item=Item.FIXED_ASSET_TAX,
        fiscal_year=2026,
        amount=1000,
        due_date=timezone.localdate(),
        payer_name="誰か",
    )
    pay(invoice, django_capture_on_commit_callbacks, reference="tax")
    assert fees.submission_of(invoice) is None
    assert not SubmissionEvent.objects.filter(kind=EventKind.PAID).exists()
