"""Fees (手数料) through payments: an invoice at the right moment, and the submission
continues when it is paid.

- `on_submitted()` (called by applying in its transaction) and `on_approved()` (called by
  processing) issue the fee invoice when the procedure's `fee_timing` says so. The call
  is idempotent: the invoice's `source_reference` is ``procedures:<pk>:fee``, and
  payments returns the existing invoice for a reference it already has.
- When payments announces that the invoice is paid (`invoice_settled`, after commit; and
  `invoice_status_changed` for an overpayment), `record_paid()` sets
  `Submission.fee_paid_at` once, adds a 納付 entry to the timeline and an audit entry. A
  notice delivered twice changes nothing the second time.
- `on_closed()` (called by `common.change_status` for final statuses) cancels an unpaid
  fee invoice of a withdrawn or rejected submission.
- `is_settled()`: processing refuses to complete a submission until it is true.

The payments module knows nothing about procedures: it only keeps the origin
(``procedures.submission``, pk) and the applicant's page as the return URL.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from madoguchi.audit import services as audit
from madoguchi.core.tenancy import municipality_scope
from madoguchi.japanese.holidays import add_business_days
from madoguchi.payments import services as payments
from madoguchi.payments.models import Invoice, InvoiceStatus, Item

from ..models import EventKind, FeeTiming, Submission, SubmissionStatus
from . import common

logger = logging.getLogger(__name__)

#: 納期限: this many business days (開庁日) after the invoice is issued.
DUE_BUSINESS_DAYS = 7
#: 取扱期限: payments are still taken this many days after the due date, so that a
#: resident who pays a little late does not leave the application stuck.
PAYABLE_DAYS_AFTER_DUE = 30

#: Invoice statuses that mean the fee is paid (an overpayment is refunded by payments).
SETTLED_STATUSES = (InvoiceStatus.PAID, InvoiceStatus.OVERPAID)
#: Invoice statuses in which nothing was paid yet or not all: cancelled when the
#: submission is withdrawn or rejected.
UNPAID_STATUSES = (InvoiceStatus.UNPAID, InvoiceStatus.PARTLY_PAID)

ORIGIN_TYPE = "procedures.submission"

CANCEL_REASONS = {
    SubmissionStatus.WITHDRAWN: gettext_noop("申請の取下げ"),
    SubmissionStatus.REJECTED: gettext_noop("申請の却下"),
}


def fee_reference(submission: Submission) -> str:
    """The invoice's reference in payments (one fee invoice per submission)."""
    return f"procedures:{submission.pk}:fee"


def fiscal_year_of(day: dt.date) -> int:
    """会計年度: April to March (2026-03-31 is fiscal 2025)."""
    return day.year if day.month >= 4 else day.year - 1


def _payer_name(submission: Submission) -> str:
    if submission.applicant_name:
        return submission.applicant_name
    applicant = submission.applicant
    if applicant is not None:
        full = getattr(applicant, "get_full_name", lambda: "")() or ""
        return full or applicant.email
    return submission.applicant_email or "申請者"


def _description(submission: Submission) -> str:
    # The invoice is kept in Japanese (it is the municipality's record), whatever the
    # applicant's language.
    return f"{submission.procedure.name_ja}（受付番号 {submission.number}）"[:200]


def pay_url(invoice: Invoice) -> str:
    """The payer's page to pay the invoice online (empty when payments' URLs are not
    mounted)."""
    try:
        return reverse(
            "payments:invoice_detail",
            kwargs={"municipality_slug": invoice.municipality.slug, "number": invoice.number},
        )
    except NoReverseMatch:
        return ""


def issue_invoice(submission: Submission, *, actor: Any = None) -> Invoice | None:
    """Issue the fee invoice of a submission now, whatever the timing (None when there
    is no fee). Idempotent: a second call returns the first invoice and records
    nothing."""
    if submission.fee_amount <= 0 or submission.pk is None:
        return None
    existing = invoice_for(submission)
    if existing is not None:
        return existing
    today = timezone.localdate()
    due = add_business_days(today, DUE_BUSINESS_DAYS)
    invoice = payments.create_invoice(
        municipality=submission.municipality,
        item=Item.FEE,
        fiscal_year=fiscal_year_of(today),
        amount=submission.fee_amount,
        due_date=due,
        payable_until=due + dt.timedelta(days=PAYABLE_DAYS_AFTER_DUE),
        issued_on=today,
        description=_description(submission),
        payer=submission.applicant,
        payer_name=_payer_name(submission)[:200],
        payer_email=submission.applicant_email,
        origin=submission,
        return_url=common.applicant_url(submission),
        source_reference=fee_reference(submission),
        actor=actor,
    )
    if invoice.status == InvoiceStatus.CANCELLED:
        # An invoice cancelled earlier (the submission was withdrawn) is not reissued.
        return None
    common.record_event(
        submission,
        EventKind.INVOICE,
        actor=actor,
        data={"invoice": invoice.number, "amount": invoice.amount, "due_date": invoice.due_date.isoformat()},
    )
    _notify_fee_due(submission, invoice)
    return invoice


def _notify_fee_due(submission: Submission, invoice: Invoice) -> None:
    """E-mail the applicant that the fee is due, with the link to pay (template
    `notifications/procedures/fee_due/`)."""
    common.email_applicant(
        submission,
        "procedures/fee_due",
        {"amount": invoice.amount, "invoice_number": invoice.number, "due_date": invoice.due_date.isoformat()},
        idempotency_key=f"procedures:submission:{submission.pk}:fee_due",
    )


def on_submitted(submission: Submission, *, actor: Any = None) -> Invoice | None:
    """Called by `applying.submit()` in its transaction: issue the invoice when the
    procedure's fee is due on submission; returns the invoice or None."""
    if submission.procedure.fee_timing != FeeTiming.ON_SUBMISSION:
        return None
    return issue_invoice(submission, actor=actor)


def on_approved(submission: Submission, *, actor: Any = None) -> Invoice | None:
    """Called by `processing` when a submission is approved: issue the invoice when the
    fee is due on approval; returns the invoice or None."""
    if submission.procedure.fee_timing != FeeTiming.ON_APPROVAL:
        return None
    return issue_invoice(submission, actor=actor)


def on_closed(submission: Submission, *, actor: Any = None) -> Invoice | None:
    """Called by `common.change_status` when a submission reaches a final status: a
    withdrawn or rejected submission's unpaid fee invoice is cancelled (what was partly
    paid becomes refundable in payments). Returns the cancelled invoice or None."""
    reason = CANCEL_REASONS.get(submission.status)  # type: ignore[call-overload]
    if reason is None:
        return None
    invoice = invoice_for(submission)
    if invoice is None or invoice.status not in UNPAID_STATUSES:
        return None
    invoice = payments.cancel_invoice(invoice, reason=reason, actor=actor)
    common.record_event(
        submission,
        EventKind.INVOICE,
        actor=actor,
        data={"invoice": invoice.number, "cancelled": True},
    )
    return invoice


def invoice_for(submission: Submission) -> Invoice | None:
    """The submission's open or paid fee invoice, or None (also when it was cancelled)."""
    if submission.pk is None:
        return None
    with municipality_scope(submission.municipality_id):
        return (
            # The explicit municipality keeps tenants apart even where scopes are off
            # (management commands, tests).
            Invoice.objects.filter(
                municipality_id=submission.municipality_id, source_reference=fee_reference(submission)
            )
            .exclude(status=InvoiceStatus.CANCELLED)
            .first()
        )


def is_settled(submission: Submission) -> bool:
    """Whether nothing is owed: no fee, or its invoice is paid."""
    if submission.fee_amount <= 0 or submission.procedure.fee_timing == FeeTiming.NONE:
        return True
    if submission.fee_paid_at is not None:
        return True
    invoice = invoice_for(submission)
    return invoice is not None and invoice.status in SETTLED_STATUSES


def submission_of(invoice: Invoice) -> Submission | None:
    """The submission a fee invoice was issued for, or None for other invoices."""
    if invoice.origin_type != ORIGIN_TYPE or invoice.source_reference != f"procedures:{invoice.origin_id}:fee":
        return None
    with municipality_scope(invoice.municipality_id):
        return Submission.objects.filter(municipality_id=invoice.municipality_id, pk=invoice.origin_id).first()


@transaction.atomic
def record_paid(invoice: Invoice) -> Submission | None:
    """The fee invoice is paid: set `fee_paid_at` (once), add 納付 to the timeline and an
    audit entry. Safe to call again for the same invoice (a signal delivered twice, the
    paid and the overpaid notice): the locked submission already has `fee_paid_at`."""
    if invoice.status not in SETTLED_STATUSES:
        return None
    found = submission_of(invoice)
    if found is None:
        return None
    submission = common.locked(found)
    if submission.fee_paid_at is not None:
        return submission
    submission.fee_paid_at = timezone.now()
    submission.save(update_fields=["fee_paid_at", "updated_at"])
    common.record_event(
        submission,
        EventKind.PAID,
        data={"invoice": invoice.number, "amount": invoice.paid_amount},
    )
    audit.record(
        action=audit.Action.UPDATE,
        obj=submission,
        municipality=submission.municipality,
        personal_data=True,
        subject=submission.applicant,
        fields=["fee_paid_at"],
        extra={"number": submission.number, "invoice": invoice.number},
    )
    return submission
