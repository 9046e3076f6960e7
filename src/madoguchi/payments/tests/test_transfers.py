"""Account transfer (口座振替): registration, the monthly batch, the request file, and the
bank's result file updating invoices — once, and not at all when the file is broken."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.payments import transfers, zengin
from madoguchi.payments.models import (
    BankAccountStatus,
    Channel,
    Invoice,
    InvoiceStatus,
    Item,
    Payment,
    TransferBatch,
    TransferBatchStatus,
    TransferRequest,
)

from .factories import make_invoice
from .transfer_factories import make_account, result_file, transfer_settings

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 5, 27)


def fresh(invoice: Invoice) -> Invoice:
    return Invoice.unscoped.get(pk=invoice.pk)


def test_registration_checks_the_bank_and_converts_the_holder_name(kasama: Municipality) -> None:
    account = make_account(kasama, holder_name="やまだ　たろう", account_number="１２３４５")
    assert account.holder_kana == "ﾔﾏﾀﾞ ﾀﾛｳ"
    assert account.account_number == "0012345"
    assert account.customer_number.isdigit()
    assert account.status == BankAccountStatus.ACTIVE
    entry = AuditEntry.objects.get(object_type="payments.bankaccount", action="create")
    assert entry.personal_data
    with pytest.raises(ValidationError) as excinfo:
        make_account(kasama, bank_code="0002", holder_name="山田")
    assert set(excinfo.value.message_dict) == {"bank_code", "holder_kana"}
    with pytest.raises(ValidationError) as excinfo:
        make_account(kasama, branch_code="999")
    assert set(excinfo.value.message_dict) == {"branch_code"}
    with pytest.raises(ValidationError) as excinfo:
        make_account(kasama, customer_number=account.customer_number)
    assert set(excinfo.value.message_dict) == {"customer_number"}


def test_kana_conversion_for_the_zengin_file() -> None:
    assert transfers.zengin_name("カブシキガイシャ　カサマ") == "ｶﾌﾞｼｷｶﾞｲｼﾔ ｶｻﾏ"
    assert transfers.zengin_name("ジヨウヨウ", 3) == "ｼﾞﾖ"


def test_suspended_and_cancelled_accounts(kasama: Municipality) -> None:
    account = make_account(kasama)
    transfers.set_account_status(account, BankAccountStatus.SUSPENDED)
    make_invoice(kasama, payer_number="1000001", due_date=DAY)
    assert transfers.collectable(kasama, DAY) == []
    transfers.set_account_status(account, BankAccountStatus.ACTIVE)
    assert len(transfers.collectable(kasama, DAY)) == 1
    transfers.set_account_status(account, BankAccountStatus.CANCELLED)
    with pytest.raises(transfers.TransferError):
        transfers.set_account_status(account, BankAccountStatus.ACTIVE)
    assert transfers.collectable(kasama, DAY) == []


def test_the_batch_takes_open_invoices_due_by_the_date_of_covered_items(kasama: Municipality) -> None:
    transfer_settings(kasama)
    make_account(kasama)
    due = make_invoice(kasama, payer_number="1000001", due_date=DAY, amount=5_000)
    make_invoice(kasama, payer_number="1000001", due_date=DAY + dt.timedelta(days=1))  # later
    make_invoice(kasama, payer_number="1000001", due_date=DAY, item=Item.LIGHT_VEHICLE_TAX)  # not covered
    make_invoice(kasama, payer_number="2000002", due_date=DAY)  # no account
    batch = transfers.create_batch(kasama, DAY)
    with municipality_scope(kasama):
        assert [r.invoice_id for r in TransferRequest.objects.filter(batch=batch)] == [due.pk]
    assert (batch.record_count, batch.total_amount) == (1, 5_000)
    # Already in a batch: not taken again.
    with pytest.raises(transfers.TransferError):
        transfers.create_batch(kasama, DAY)


def exported(municipality: Municipality, *amounts: int) -> tuple[list[Invoice], TransferBatch]:
    transfer_settings(municipality)
    make_account(municipality)
    invoices = [make_invoice(municipality, payer_number="1000001", due_date=DAY, amount=a) for a in amounts]
    batch = transfers.create_batch(municipality, DAY)
    transfers.export_request_file(batch)
    batch.refresh_from_db()
    return invoices, batch


def test_the_request_file_is_the_batch_in_zengin_and_exporting_again_gives_the_same_bytes(
    kasama: Municipality,
) -> None:
    _invoices, batch = exported(kasama, 12_300, 4_500)
    data = bytes(batch.request_file)
    assert all(len(line) == 120 for line in data.split(b"\r\n")[:-1])
    parsed = zengin.parse_file(data)
    assert parsed.header.consignor_code == "1234567890"
    assert parsed.header.consignor_name == "ｶｻﾏｼ"
    assert parsed.header.transfer_mmdd == "0527"
    assert parsed.header.bank_name == "ﾐｽﾞﾎ"
    assert [r.amount for r in parsed.records] == [12_300, 4_500]
    assert [r.holder_name for r in parsed.records] == ["ｶｻﾏ ﾀﾛｳ"] * 2
    assert [r.new_code for r in parsed.records] == ["1", "0"]  # the account's first collection
    assert batch.status == TransferBatchStatus.EXPORTED
    assert transfers.export_request_file(batch) == data


def test_a_result_file_updates_the_invoices_once(kasama: Municipality) -> None:
    (paid, short), batch = exported(kasama, 12_300, 4_500)
    data = result_file(batch, ["0", "1"])
    summary = transfers.import_result_file(batch, data)
    assert (summary.transferred, summary.failed, summary.payments_recorded) == (1, 1, 1)
    assert fresh(paid).status == InvoiceStatus.PAID
    assert fresh(short).status == InvoiceStatus.UNPAID
    with municipality_scope(kasama):
        codes = {r.invoice_id: r.result_code for r in TransferRequest.objects.all()}
        payment = Payment.objects.get()
    assert codes == {paid.pk: "0", short.pk: "1"}
    assert transfers.result_label("1") == "資金不足"
    assert payment.channel == Channel.ACCOUNT_TRANSFER
    assert payment.paid_on == DAY
    # The same file again changes nothing.
    again = transfers.import_result_file(batch, data)
    assert again.payments_recorded == 0
    assert Payment.unscoped.count() == 1
    assert fresh(paid).paid_amount == 12_300
    # The failed invoice is collected again in a later batch (再振替).
    later = DAY + dt.timedelta(days=30)
    assert [i.pk for i, _a in transfers.collectable(kasama, later)] == [short.pk]


def test_a_result_that_contradicts_the_imported_one_is_refused(kasama: Municipality) -> None:
    (_paid, _short), batch = exported(kasama, 12_300, 4_500)
    transfers.import_result_file(batch, result_file(batch, ["0", "1"]))
    with pytest.raises(zengin.ZenginError) as excinfo:
        transfers.import_result_file(batch, result_file(batch, ["0", "0"]))
    assert (excinfo.value.line, excinfo.value.field) == (3, "振替結果コード")
    assert Payment.unscoped.count() == 1


def _break(data: bytes, line: int, position: int, replacement: bytes) -> bytes:
    records = data.split(b"\r\n")
    record = records[line - 1]
    records[line - 1] = record[:position] + replacement + record[position + len(replacement) :]
    return b"\r\n".join(records)


@pytest.mark.parametrize(
    ("line", "position", "replacement", "field"),
    [
        (3, 0, b"2" * 121, "レコード"),  # a wrong length on line 3
        (2, 80, b"00000123X0", "引落金額"),  # a non-numeric amount
        (4, 7, b"000000016799", "合計金額"),  # a bad trailer total
        (3, 111, b"7", "振替結果コード"),  # an unknown result code
        (4, 0, b"9", "データ区分"),  # the end record before the trailer
        (2, 43, b"0099999", "口座番号"),  # not what was asked for
        (1, 54, b"0601", "引落日"),  # another batch's date
    ],
)
def test_a_broken_result_file_is_refused_with_its_line_and_field_and_nothing_is_imported(
    kasama: Municipality, line: int, position: int, replacement: bytes, field: str
) -> None:
    (paid, short), batch = exported(kasama, 12_300, 4_500)
    good = result_file(batch, ["0", "0"])
    data = _break(good, line, position, replacement)
    with pytest.raises(zengin.ZenginError) as excinfo:
        transfers.import_result_file(batch, data)
    assert (excinfo.value.line, excinfo.value.field) == (line, field)
    assert f"{line}行目" in excinfo.value.message
    assert Payment.unscoped.count() == 0
    assert fresh(paid).status == InvoiceStatus.UNPAID
    assert fresh(short).status == InvoiceStatus.UNPAID
    with municipality_scope(kasama):
        assert set(TransferRequest.objects.values_list("result_code", flat=True)) == {""}
    batch.refresh_from_db()
    assert batch.status == TransferBatchStatus.EXPORTED


def test_a_payment_that_fails_midway_rolls_the_whole_file_back(kasama: Municipality) -> None:
    (paid, other), batch = exported(kasama, 12_300, 4_500)
    # The second invoice's payment reference is already taken with another amount: the
    # whole import is refused, including the first record's payment.
    with municipality_scope(kasama):
        second = TransferRequest.objects.get(invoice=other)
    from madoguchi.payments import services

    services.record_payment(
        other, channel=Channel.ACCOUNT_TRANSFER, reference=f"transfer:{batch.pk}:{second.pk}", amount=1, paid_on=DAY
    )
    with pytest.raises(services.PaymentError):
        transfers.import_result_file(batch, result_file(batch, ["0", "0"]))
    assert fresh(paid).status == InvoiceStatus.UNPAID
    with municipality_scope(kasama):
        assert set(TransferRequest.objects.values_list("result_code", flat=True)) == {""}


def test_an_unexported_batch_takes_no_results_and_settings_are_required(kasama: Municipality) -> None:
    make_account(kasama)
    make_invoice(kasama, payer_number="1000001", due_date=DAY)
    batch = transfers.create_batch(kasama, DAY)
    with pytest.raises(transfers.TransferError):
        transfers.import_result_file(batch, b"")
    with pytest.raises(transfers.TransferError) as excinfo:
        transfers.export_request_file(batch)
    assert excinfo.value.code == "settings"


def test_batches_are_per_municipality(kasama: Municipality, mito: Municipality) -> None:
    make_account(kasama)
    make_account(mito)
    mine = make_invoice(kasama, payer_number="1000001", due_date=DAY)
    make_invoice(mito, payer_number="1000001", due_date=DAY)
    assert [i.pk for i, _a in transfers.collectable(kasama, DAY)] == [mine.pk]


def test_an_account_needs_a_payer(kasama: Municipality) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_account(kasama, payer_number="")
    assert set(excinfo.value.message_dict) == {"payer_number"}


@pytest.mark.django_db(transaction=True)
def test_two_batches_made_at_once_do_not_share_an_invoice(kasama: Municipality) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    make_account(kasama)
    make_invoice(kasama, payer_number="1000001", due_date=DAY)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def create() -> None:
        try:
            barrier.wait()
            outcomes.append(transfers.create_batch(kasama, DAY))
        except transfers.TransferError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["TransferBatch", "str"]
    assert "empty" in outcomes
    assert TransferRequest.unscoped.count() == 1
