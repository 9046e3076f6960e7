from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.payments import services
from madoguchi.payments.models import Channel, Invoice, InvoiceStatus, Item, Payment, RefundStatus
from madoguchi.testing.factories import make_staff

from .factories import a_date, make_invoice

pytestmark = pytest.mark.django_db


def test_invoice_numbers_are_unique_with_a_check_digit_and_a_confirmation_number(kasama: Municipality) -> None:
    first = make_invoice(kasama, fiscal_year=2026, item=Item.FIXED_ASSET_TAX)
    second = make_invoice(kasama, fiscal_year=2026, item=Item.FIXED_ASSET_TAX)
    assert first.number != second.number
    assert first.number.startswith("2602")
    assert len(first.number) == 16
    assert services.is_valid_invoice_number(first.number)
    wrong = first.number[:-1] + str((int(first.number[-1]) + 1) % 10)
    assert not services.is_valid_invoice_number(wrong)
    assert len(first.confirmation_number) == 6
    assert first.confirmation_number.isdigit()
    assert first.confirmation_number == services.confirmation_number(kasama, first.number, first.amount)
    assert services.confirmation_number(kasama, first.number, first.amount + 1) != first.confirmation_number


def test_check_digit_follows_the_gs1_rule() -> None:
    # GS1's published example: 629104150021 → 3 (EAN-13 6291041500213).
    assert services.check_digit("629104150021") == 3
    assert services.check_digit("400638133393") == 1  # 4006381333931


def test_numbering_is_per_municipality(kasama: Municipality, mito: Municipality) -> None:
    a = make_invoice(kasama, fiscal_year=2026)
    b = make_invoice(mito, fiscal_year=2026)
    assert a.number == b.number  # each municipality has its own sequence


def test_source_reference_makes_issuing_idempotent(kasama: Municipality) -> None:
    first = make_invoice(kasama, source_reference="TAX-2026-0001", amount=5000)
    again = make_invoice(kasama, source_reference="TAX-2026-0001", amount=5000)
    assert again.pk == first.pk
    with pytest.raises(services.PaymentError) as excinfo:
        make_invoice(kasama, source_reference="TAX-2026-0001", amount=6000)
    assert excinfo.value.code == "source_reference_conflict"
    assert Invoice.unscoped.filter(source_reference="TAX-2026-0001").count() == 1


def test_payment_is_applied_once_whatever_is_repeated(kasama: Municipality) -> None:
    invoice = make_invoice(kasama, amount=10_000)
    first = services.record_payment(
        invoice, channel=Channel.ONLINE_CARD, reference="tx-1", amount=10_000, paid_on=a_date()
    )
    again = services.record_payment(
        invoice, channel=Channel.ONLINE_CARD, reference="tx-1", amount=10_000, paid_on=a_date()
    )
    assert first.created
    assert not again.created
    assert again.payment.pk == first.payment.pk
    invoice.refresh_from_db()
    assert (invoice.paid_amount, invoice.status) == (10_000, InvoiceStatus.PAID)


def test_same_reference_with_other_content_is_refused(kasama: Municipality) -> None:
    invoice = make_invoice(kasama, amount=10_000)
    services.record_payment(invoice, channel=Channel.PAY_EASY, reference="p-1", amount=4_000, paid_on=a_date())
    with pytest.raises(services.PaymentError) as excinfo:
        services.record_payment(invoice, channel=Channel.PAY_EASY, reference="p-1", amount=5_000, paid_on=a_date())
    assert excinfo.value.code == "conflict"
    invoice.refresh_from_db()
    assert invoice.paid_amount == 4_000


@pytest.mark.parametrize(
    ("payments", "status"),
    [
        ([], InvoiceStatus.UNPAID),
        ([3_000], InvoiceStatus.PARTLY_PAID),
        ([3_000, 7_000], InvoiceStatus.PAID),
        ([10_000, 500], InvoiceStatus.OVERPAID),
        ([10_000, -10_000], InvoiceStatus.UNPAID),
    ],
)
def test_status_follows_what_was_paid(kasama: Municipality, payments: list[int], status: str) -> None:
    invoice = make_invoice(kasama, amount=10_000)
    for n, amount in enumerate(payments):
        services.record_payment(
            invoice, channel=Channel.CONVENIENCE_STORE, reference=f"r{n}", amount=amount, paid_on=a_date()
        )
    invoice.refresh_from_db()
    assert invoice.status == status


def test_payment_after_cancellation_is_refused_unless_staff_accept_it(kasama: Municipality) -> None:
    invoice = make_invoice(kasama, amount=8_000)
    clerk = make_staff(kasama, "officer")
    services.cancel_invoice(invoice, reason="課税取消し", actor=clerk)
    with pytest.raises(services.PaymentError) as excinfo:
        services.record_payment(invoice, channel=Channel.BANK_TRANSFER, reference="b-1", amount=8_000, paid_on=a_date())
    assert excinfo.value.code == "cancelled"
    services.record_payment(
        invoice, channel=Channel.BANK_TRANSFER, reference="b-1", amount=8_000, paid_on=a_date(), allow_cancelled=True
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    assert services.refundable_amount(invoice) == 8_000


def test_refund_of_an_overpayment_needs_another_persons_approval(kasama: Municipality) -> None:
    invoice = make_invoice(kasama, amount=10_000)
    services.record_payment(invoice, channel=Channel.PAY_EASY, reference="a", amount=10_000, paid_on=a_date())
    services.record_payment(invoice, channel=Channel.CONVENIENCE_STORE, reference="b", amount=10_000, paid_on=a_date())
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OVERPAID
    assert services.refundable_amount(invoice) == 10_000
    officer = make_staff(kasama, "officer")
    approver = make_staff(kasama, "approver")
    with pytest.raises(services.PaymentError):
        services.request_refund(invoice, amount=10_001, reason="二重納付", actor=officer)
    refund = services.request_refund(invoice, amount=10_000, reason="二重納付", actor=officer)
    assert services.refundable_amount(invoice) == 0  # nothing can be proposed twice
    with pytest.raises(services.PaymentError) as excinfo:
        services.approve_refund(refund, actor=officer)
    assert excinfo.value.code == "same_person"
    with pytest.raises(services.PaymentError):
        services.mark_refund_paid(refund, actor=officer)
    services.approve_refund(refund, actor=approver)
    services.mark_refund_paid(refund, reference="還付-1", actor=officer)
    services.mark_refund_paid(refund, reference="還付-1", actor=officer)  # twice: no harm
    refund.refresh_from_db()
    invoice.refresh_from_db()
    assert refund.status == RefundStatus.PAID
    assert (invoice.refunded_amount, invoice.status) == (10_000, InvoiceStatus.PAID)


def test_settled_signal_after_commit(kasama: Municipality, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    received: list[Invoice] = []

    def on_settled(sender: object, invoice: Invoice, **kwargs: object) -> None:
        received.append(invoice)

    services.invoice_settled.connect(on_settled)
    try:
        invoice = make_invoice(kasama, amount=1_000)
        with django_capture_on_commit_callbacks(execute=True):
            services.record_payment(invoice, channel=Channel.COUNTER, reference="c-1", amount=600, paid_on=a_date())
        assert received == []
        with django_capture_on_commit_callbacks(execute=True):
            services.record_payment(invoice, channel=Channel.COUNTER, reference="c-2", amount=400, paid_on=a_date())
        assert [i.pk for i in received] == [invoice.pk]
    finally:
        services.invoice_settled.disconnect(on_settled)


def test_every_change_is_audited(kasama: Municipality) -> None:
    invoice = make_invoice(kasama, amount=1_000)
    services.record_payment(invoice, channel=Channel.COUNTER, reference="c-1", amount=1_000, paid_on=a_date())
    types = list(AuditEntry.objects.filter(municipality_id=kasama.pk).values_list("object_type", flat=True))
    assert "payments.invoice" in types
    assert "payments.payment" in types


def test_invoices_for_origin(kasama: Municipality) -> None:
    staff = make_staff(kasama, "officer")
    profile = staff.staff_profile
    invoice = make_invoice(kasama, origin=profile, return_url="/kasama/")
    assert services.invoices_for_origin(profile) == [invoice]
    with pytest.raises(ValueError, match="path"):
        make_invoice(kasama, return_url="https://evil.example/")


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_notices_apply_once(kasama: Municipality) -> None:
    """Two app servers receive the same notice at the same moment."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    invoice = make_invoice(kasama, amount=5_000)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def apply() -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                services.record_payment(
                    invoice, channel=Channel.ONLINE_CARD, reference="same", amount=5_000, paid_on=a_date()
                )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    invoice.refresh_from_db()
    assert invoice.paid_amount == 5_000
    assert Payment.unscoped.filter(invoice=invoice).count() == 1
