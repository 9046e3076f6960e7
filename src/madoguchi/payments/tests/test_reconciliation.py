"""Reconciliation (消込): notice formats, import, matching, the exception queue and the
daily collection report."""

from __future__ import annotations

from typing import Any

import pytest

from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.payments import reconciliation, services
from madoguchi.payments.models import (
    Channel,
    ExceptionReason,
    Invoice,
    InvoiceStatus,
    Item,
    NoticeImport,
    NoticeKind,
    NoticeStatus,
    Payment,
    PaymentNotice,
    PaymentSettings,
    RefundStatus,
)
from madoguchi.payments.notice_formats import NoticeFormatError, available_formats, get_format
from madoguchi.testing.factories import make_staff

from .factories import make_invoice
from .notice_files import (
    COMPANY_CODE,
    CvsPayment,
    bank_file,
    convenience_file,
    day,
    gateway_file,
    pay_easy_file,
    stream,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def settings_kasama(kasama: Municipality) -> PaymentSettings:
    settings, _ = PaymentSettings.objects.update_or_create(
        municipality=kasama,
        defaults={"convenience_company_code": COMPANY_CODE, "pay_easy_institution_number": "12345"},
    )
    return settings


def _import(
    municipality: Municipality, fmt: str, data: bytes, name: str = "notice.txt", **kwargs: Any
) -> reconciliation.ImportOutcome:
    return reconciliation.import_notice_file(municipality, fmt, stream(data), file_name=name, **kwargs)


def _fresh(invoice: Invoice) -> Invoice:
    return Invoice.unscoped.get(pk=invoice.pk)


# --- formats ----------------------------------------------------------------------------


def test_every_format_is_registered() -> None:
    assert {f.name for f in available_formats()} == {"convenience", "pay-easy", "bank-transfer", "gateway"}
    with pytest.raises(ValueError, match="unknown notice format"):
        get_format("fax")


def test_convenience_file_parses(kasama: Municipality, settings_kasama: PaymentSettings) -> None:
    invoice = make_invoice(kasama, amount=4_500)
    fmt = get_format("convenience")(settings_kasama)
    records = list(fmt.records(stream(convenience_file([CvsPayment(invoice, receipt=7)], kind="2"))))
    assert fmt.kind == NoticeKind.FINAL
    (record,) = records
    assert (record.invoice_number, record.amount, record.paid_on, record.line) == (
        invoice.number,
        4_500,
        day("2026-11-20"),
        2,
    )
    # 本部 0001 + 店舗 0000001 + 収納日 + 時刻 1200 + 受付番号 000007
    assert record.record_key == "00010000001202611201200000007"
    assert record.reference == f"cvs:{record.record_key}"


def test_pay_easy_bank_and_gateway_files_parse(kasama: Municipality, settings_kasama: PaymentSettings) -> None:
    invoice = make_invoice(kasama, amount=3_000)
    (pe,) = get_format("pay-easy")(settings_kasama).records(
        stream(pay_easy_file([(invoice, 3_000, invoice.confirmation_number, "MPN-1")]))
    )
    assert (pe.invoice_number, pe.amount, pe.record_key, pe.payment_channel) == (
        invoice.number,
        3_000,
        "MPN-1",
        Channel.PAY_EASY,
    )
    (bt,) = get_format("bank-transfer")().records(stream(bank_file([("A001", 3_000, f"{invoice.number} ｶｻﾏ ﾀﾛｳ")])))
    assert (bt.invoice_number, bt.amount, bt.paid_on) == (invoice.number, 3_000, day("2026-11-20"))
    # Full-width digits in the remitter field are read too; no number leaves it empty.
    full = invoice.number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    (bt2, bt3) = get_format("bank-transfer")().records(
        stream(bank_file([("A002", 3_000, f"ｶｻﾏ {full}"), ("A003", 100, "ｶｻﾏ ﾀﾛｳ")]))
    )
    assert (bt2.invoice_number, bt3.invoice_number) == (invoice.number, "")
    records = list(
        get_format("gateway")().records(
            stream(gateway_file([("tx-1", invoice, 3_000, "captured"), ("tx-2", invoice, 3_000, "refunded")]))
        )
    )
    assert [(r.record_key, r.payment_channel) for r in records] == [("tx-1", Channel.ONLINE_CARD)]


@pytest.mark.parametrize(
    ("mangle", "line", "message"),
    [
        (lambda lines: [*lines[:2], lines[2][:-1], *lines[3:]], 3, "120文字"),
        (lambda lines: [*lines[:2], lines[2][:50] + "X" + lines[2][51:], *lines[3:]], 3, "バーコード情報"),
        (lambda lines: [*lines[:-2], lines[-1]], 4, "前にエンドレコード"),
        (lambda lines: lines[:-1], 5, "ないままファイルが終わって"),
    ],
)
def test_malformed_convenience_file_is_refused_with_its_line_and_imports_nothing(
    kasama: Municipality, settings_kasama: PaymentSettings, mangle: object, line: int, message: str
) -> None:
    invoices = [make_invoice(kasama, amount=1_000 + i) for i in range(2)]
    good = convenience_file([CvsPayment(inv, receipt=i) for i, inv in enumerate(invoices)]).decode()
    broken = "\r\n".join(mangle(good.rstrip("\r\n").split("\r\n"))) + "\r\n"  # type: ignore[operator]
    with pytest.raises(NoticeFormatError, match=message) as excinfo:
        _import(kasama, "convenience", broken.encode())
    assert excinfo.value.line == line
    assert not NoticeImport.unscoped.exists()
    assert not PaymentNotice.unscoped.exists()
    assert not Payment.unscoped.exists()
    assert _fresh(invoices[0]).status == InvoiceStatus.UNPAID


def test_malformed_record_after_a_full_chunk_rolls_back_the_chunks_before_it(
    kasama: Municipality, settings_kasama: PaymentSettings
) -> None:
    invoices = [make_invoice(kasama, amount=1_000) for _ in range(5)]
    good = pay_easy_file([(inv, 1_000, inv.confirmation_number, f"T{i}") for i, inv in enumerate(invoices)])
    broken = good + b"12345,123,000000,abc,2026-11-20,0005,T9\n"
    with pytest.raises(NoticeFormatError) as excinfo:
        _import(kasama, "pay-easy", broken, chunk_size=2)
    assert excinfo.value.line == 7
    assert not Payment.unscoped.exists()
    assert all(_fresh(i).paid_amount == 0 for i in invoices)


def test_pay_easy_file_of_another_institution_is_refused(
    kasama: Municipality, settings_kasama: PaymentSettings
) -> None:
    invoice = make_invoice(kasama)
    with pytest.raises(NoticeFormatError, match="収納機関番号") as excinfo:
        _import(kasama, "pay-easy", pay_easy_file([(invoice, invoice.amount, "000000", "x")], institution="99999"))
    assert excinfo.value.line == 2


# --- import and matching ------------------------------------------------------------------


def test_import_matches_pays_and_audits_once(kasama: Municipality, settings_kasama: PaymentSettings) -> None:
    staff = make_staff(kasama)
    a = make_invoice(kasama, amount=2_000)
    b = make_invoice(kasama, amount=3_000)
    outcome = _import(
        kasama, "convenience", convenience_file([CvsPayment(a, receipt=1), CvsPayment(b, receipt=2)]), actor=staff
    )
    assert (outcome.records, outcome.matched, outcome.exceptions, outcome.total_amount) == (2, 2, 0, 5_000)
    assert _fresh(a).status == InvoiceStatus.PAID
    assert _fresh(b).paid_amount == 3_000
    notice_import = NoticeImport.unscoped.get()
    assert (notice_import.kind, notice_import.record_count, notice_import.matched_count) == (
        NoticeKind.PRELIMINARY,
        2,
        2,
    )
    assert PaymentNotice.unscoped.filter(status=NoticeStatus.MATCHED, payment__isnull=False).count() == 2
    entries = AuditEntry.objects.filter(object_type="payments.noticeimport")
    assert entries.count() == 1
    assert entries.get().extra["matched"] == 2


def test_dry_run_counts_and_keeps_nothing(kasama: Municipality, settings_kasama: PaymentSettings) -> None:
    a = make_invoice(kasama, amount=2_000)
    outcome = _import(kasama, "convenience", convenience_file([CvsPayment(a), CvsPayment(a, receipt=2)]), dry_run=True)
    assert (outcome.matched, outcome.exceptions, outcome.reasons[ExceptionReason.DUPLICATE]) == (1, 1, 1)
    assert outcome.notice_import is None
    assert not NoticeImport.unscoped.exists()
    assert not Payment.unscoped.exists()
    assert _fresh(a).status == InvoiceStatus.UNPAID


def test_the_same_file_twice_is_recognised(kasama: Municipality, settings_kasama: PaymentSettings) -> None:
    a = make_invoice(kasama, amount=2_000)
    data = convenience_file([CvsPayment(a)])
    first = _import(kasama, "convenience", data)
    with pytest.raises(reconciliation.DuplicateFileError) as excinfo:
        _import(kasama, "convenience", data, name="again.txt")
    assert excinfo.value.notice_import.pk == first.notice_import.pk  # type: ignore[union-attr]
    assert Payment.unscoped.count() == 1
    assert _fresh(a).paid_amount == 2_000


def test_the_same_record_in_two_files_is_applied_once(kasama: Municipality, settings_kasama: PaymentSettings) -> None:
    a = make_invoice(kasama, amount=2_000)
    b = make_invoice(kasama, amount=1_500)
    _import(kasama, "convenience", convenience_file([CvsPayment(a, receipt=1)]))
    second = _import(kasama, "convenience", convenience_file([CvsPayment(a, receipt=1), CvsPayment(b, receipt=2)]))
    assert (second.records, second.already_known, second.matched, second.exceptions) == (2, 1, 1, 0)
    assert _fresh(a).paid_amount == 2_000
    assert Payment.unscoped.count() == 2


def test_final_notice_after_its_preliminary_does_not_pay_twice(
    kasama: Municipality, settings_kasama: PaymentSettings
) -> None:
    a = make_invoice(kasama, amount=2_000)
    _import(kasama, "convenience", convenience_file([CvsPayment(a)], kind="1"))
    final = _import(kasama, "convenience", convenience_file([CvsPayment(a)], kind="2"))
    assert (final.kind, final.matched, final.exceptions) == (NoticeKind.FINAL, 1, 0)
    assert Payment.unscoped.count() == 1
    assert _fresh(a).paid_amount == 2_000
    notices = PaymentNotice.unscoped.order_by("id")
    assert [n.kind for n in notices] == [NoticeKind.PRELIMINARY, NoticeKind.FINAL]
    assert notices[0].payment_id == notices[1].payment_id


def test_final_notice_without_a_preliminary_pays(kasama: Municipality, settings_kasama: PaymentSettings) -> None:
    a = make_invoice(kasama, amount=2_000)
    _import(kasama, "convenience", convenience_file([CvsPayment(a)], kind="2"))
    assert _fresh(a).status == InvoiceStatus.PAID


def test_cancellation_reverses_the_preliminary_payment(kasama: Municipality, settings_kasama: PaymentSettings) -> None:
    a = make_invoice(kasama, amount=2_000)
    _import(kasama, "convenience", convenience_file([CvsPayment(a)]))
    assert _fresh(a).status == InvoiceStatus.PAID
    outcome = _import(kasama, "convenience", convenience_file([CvsPayment(a, cancel=True)]))
    assert (outcome.matched, outcome.total_amount) == (1, -2_000)
    assert _fresh(a).paid_amount == 0
    assert _fresh(a).status == InvoiceStatus.UNPAID
    assert sorted(Payment.unscoped.values_list("amount", flat=True)) == [-2_000, 2_000]
    # The final notice of a cancelled payment pays nothing: staff look at it.
    final = _import(kasama, "convenience", convenience_file([CvsPayment(a)], kind="2"))
    assert final.reasons == {ExceptionReason.CONFLICT: 1}
    assert _fresh(a).paid_amount == 0


def test_cancellation_of_nothing_goes_to_the_queue(kasama: Municipality, settings_kasama: PaymentSettings) -> None:
    a = make_invoice(kasama, amount=2_000)
    outcome = _import(kasama, "convenience", convenience_file([CvsPayment(a, cancel=True)]))
    assert outcome.reasons == {ExceptionReason.CONFLICT: 1}
    assert not Payment.unscoped.exists()


def test_each_exception_reason(kasama: Municipality, settings_kasama: PaymentSettings) -> None:
    paid = make_invoice(kasama, amount=1_000)
    services.record_payment(paid, channel=Channel.COUNTER, reference="c-1", amount=1_000, paid_on=day("2026-11-19"))
    cancelled = make_invoice(kasama, amount=1_000)
    services.cancel_invoice(cancelled, reason="誤り")
    other_amount = make_invoice(kasama, amount=1_000)
    unknown = make_invoice(kasama, amount=1_000)
    outcome = _import(
        kasama,
        "pay-easy",
        pay_easy_file(
            [
                (paid, 1_000, paid.confirmation_number, "T1"),
                (cancelled, 1_000, cancelled.confirmation_number, "T2"),
                (other_amount, 900, other_amount.confirmation_number, "T3"),
                (unknown, 1_000, "000000" if unknown.confirmation_number != "000000" else "111111", "T4"),
            ]
        ),
    )
    assert outcome.reasons == {
        ExceptionReason.DUPLICATE: 1,
        ExceptionReason.AFTER_CANCELLATION: 1,
        ExceptionReason.AMOUNT_DIFFERS: 1,
        ExceptionReason.UNKNOWN_NUMBER: 1,
    }
    bank = _import(kasama, "bank-transfer", bank_file([("B1", 500, "ｶｻﾏ ﾀﾛｳ")]))
    assert bank.reasons == {ExceptionReason.UNKNOWN_NUMBER: 1}
    # The same record key again with other content: a conflict, kept for staff.
    conflict = _import(
        kasama, "pay-easy", pay_easy_file([(other_amount, 1_000, other_amount.confirmation_number, "T3")])
    )
    assert conflict.reasons == {ExceptionReason.CONFLICT: 1}
    assert PaymentNotice.unscoped.filter(status=NoticeStatus.EXCEPTION).count() == 6
    assert _fresh(other_amount).paid_amount == 0


def test_gateway_settlement_confirms_a_payment_the_notification_recorded(kasama: Municipality) -> None:
    a = make_invoice(kasama, amount=2_000)
    services.record_payment(a, channel=Channel.ONLINE_CARD, reference="tx-9", amount=2_000, paid_on=day("2026-11-20"))
    outcome = _import(kasama, "gateway", gateway_file([("tx-9", a, 2_000, "captured")]))
    assert (outcome.matched, outcome.exceptions) == (1, 0)
    assert Payment.unscoped.count() == 1


def test_status_signals_are_sent_after_commit(
    kasama: Municipality, settings_kasama: PaymentSettings, django_capture_on_commit_callbacks: Any
) -> None:
    a = make_invoice(kasama, amount=2_000)
    settled: list[str] = []

    def receiver(sender: object, invoice: Invoice, **kwargs: object) -> None:
        settled.append(invoice.number)

    services.invoice_settled.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _import(kasama, "convenience", convenience_file([CvsPayment(a)]))
    finally:
        services.invoice_settled.disconnect(receiver)
    assert settled == [a.number]


# --- staff decisions --------------------------------------------------------------------


def _exception(kasama: Municipality, invoice: Invoice, amount: int, key: str) -> PaymentNotice:
    _import(kasama, "pay-easy", pay_easy_file([(invoice, amount, invoice.confirmation_number, key)]), name=key)
    return PaymentNotice.unscoped.get(record_key=key)


def test_manual_match_is_recorded_and_audited(kasama: Municipality, settings_kasama: PaymentSettings) -> None:
    staff = make_staff(kasama)
    invoice = make_invoice(kasama, amount=1_000)
    notice = _exception(kasama, invoice, 900, "M1")
    assert notice.exception_reason == ExceptionReason.AMOUNT_DIFFERS
    payment = reconciliation.match_manually(notice, invoice, actor=staff, note="一部納付として受け入れ")
    notice.refresh_from_db()
    assert (notice.status, notice.payment_id, notice.decided_by_id) == (NoticeStatus.RESOLVED, payment.pk, staff.pk)
    assert (payment.channel, payment.reference, payment.amount) == (Channel.PAY_EASY, "pe:M1", 900)
    assert _fresh(invoice).status == InvoiceStatus.PARTLY_PAID
    entry = AuditEntry.objects.filter(object_type="payments.paymentnotice").get()
    assert (entry.actor_id, entry.extra["decision"], entry.extra["invoice"]) == (staff.pk, "match", invoice.number)
    with pytest.raises(reconciliation.DecisionError):
        reconciliation.ignore(notice, actor=staff, reason="二度目")
    # The same payment reported again later is already there.
    other = make_invoice(kasama, amount=50)
    again = _import(
        kasama,
        "pay-easy",
        pay_easy_file(
            [(invoice, 900, invoice.confirmation_number, "M1"), (other, 50, other.confirmation_number, "M2")]
        ),
        name="x",
    )
    assert (again.already_known, again.matched) == (1, 1)
    assert _fresh(invoice).paid_amount == 900


def test_matching_to_a_cancelled_invoice_needs_a_decision(
    kasama: Municipality, settings_kasama: PaymentSettings
) -> None:
    staff = make_staff(kasama)
    invoice = make_invoice(kasama, amount=1_000)
    services.cancel_invoice(invoice, reason="誤り")
    notice = _exception(kasama, invoice, 1_000, "C1")
    assert notice.exception_reason == ExceptionReason.AFTER_CANCELLATION
    with pytest.raises(reconciliation.DecisionError):
        reconciliation.match_manually(notice, invoice, actor=staff, note="")
    reconciliation.match_manually(notice, invoice, actor=staff, note="受入れ", allow_cancelled=True)
    assert _fresh(invoice).paid_amount == 1_000


def test_ignore_keeps_the_reason_and_is_audited(kasama: Municipality, settings_kasama: PaymentSettings) -> None:
    staff = make_staff(kasama)
    invoice = make_invoice(kasama, amount=1_000)
    notice = _exception(kasama, invoice, 1, "I1")
    with pytest.raises(reconciliation.DecisionError):
        reconciliation.ignore(notice, actor=staff, reason=" ")
    reconciliation.ignore(notice, actor=staff, reason="試験データ")
    notice.refresh_from_db()
    assert (notice.status, notice.decision_note) == (NoticeStatus.IGNORED, "試験データ")
    assert AuditEntry.objects.filter(object_type="payments.paymentnotice", extra__decision="ignore").exists()
    assert not Payment.unscoped.filter(invoice=invoice).exists()


def test_refund_for_a_duplicate_payment_is_started(kasama: Municipality, settings_kasama: PaymentSettings) -> None:
    staff = make_staff(kasama)
    invoice = make_invoice(kasama, amount=1_000)
    services.record_payment(invoice, channel=Channel.COUNTER, reference="c-1", amount=1_000, paid_on=day("2026-11-19"))
    notice = _exception(kasama, invoice, 1_000, "D1")
    assert notice.exception_reason == ExceptionReason.DUPLICATE
    refund = reconciliation.refund_overpayment(notice, invoice, actor=staff, reason="二重納付")
    assert (refund.amount, refund.status, refund.requested_by_id) == (1_000, RefundStatus.REQUESTED, staff.pk)
    assert _fresh(invoice).status == InvoiceStatus.OVERPAID
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RESOLVED
    assert AuditEntry.objects.filter(object_type="payments.paymentnotice", extra__decision="refund").exists()


def test_decisions_stay_in_their_municipality(
    kasama: Municipality, mito: Municipality, settings_kasama: PaymentSettings
) -> None:
    staff = make_staff(kasama)
    invoice = make_invoice(kasama, amount=1_000)
    notice = _exception(kasama, invoice, 1, "X1")
    theirs = make_invoice(mito, amount=1)
    with pytest.raises(reconciliation.DecisionError):
        reconciliation.match_manually(notice, theirs, actor=staff, note="")


# --- report -----------------------------------------------------------------------------


def test_daily_collection_sums_by_day_channel_and_item(kasama: Municipality, mito: Municipality) -> None:
    a = make_invoice(kasama, amount=1_000, item=Item.FEE)
    b = make_invoice(kasama, amount=2_000, item=Item.FEE)
    c = make_invoice(kasama, amount=5_000, item=Item.FIXED_ASSET_TAX)
    d = make_invoice(mito, amount=7_000, item=Item.FEE)
    for inv, ch, ref, when in [
        (a, Channel.CONVENIENCE_STORE, "1", "2026-11-20"),
        (b, Channel.CONVENIENCE_STORE, "2", "2026-11-20"),
        (c, Channel.PAY_EASY, "3", "2026-11-21"),
        (d, Channel.CONVENIENCE_STORE, "4", "2026-11-20"),
    ]:
        services.record_payment(inv, channel=ch, reference=ref, amount=inv.amount, paid_on=day(when))
    services.record_payment(
        b, channel=Channel.CONVENIENCE_STORE, reference="2:cancel", amount=-2_000, paid_on=day("2026-11-20")
    )
    rows = reconciliation.daily_collection(kasama, day("2026-11-20"), day("2026-11-21"))
    assert [(r.day.isoformat(), r.channel, r.item, r.count, r.amount) for r in rows] == [
        ("2026-11-20", Channel.CONVENIENCE_STORE, Item.FEE, 3, 1_000),
        ("2026-11-21", Channel.PAY_EASY, Item.FIXED_ASSET_TAX, 1, 5_000),
    ]
    assert reconciliation.totals_by_channel(rows) == [
        (Channel.CONVENIENCE_STORE, 3, 1_000),
        (Channel.PAY_EASY, 1, 5_000),
    ]
    assert reconciliation.daily_collection(kasama, day("2026-11-22"), day("2026-11-30")) == []
