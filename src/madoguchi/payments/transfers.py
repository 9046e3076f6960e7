"""Account transfer (口座振替): payers' registered bank accounts, the monthly transfer
batch, the Zengin request file sent to the bank, and the bank's result file.

- `register_account()` / `set_account_status()`: 口座振替の登録, 停止, 廃止. The bank
  and branch are checked against the Zengin code table, the holder's name becomes the
  half-width kana the bank compares with its own records.
- `create_batch()`: the open invoices due on or before a transfer date of payers whose
  active account covers the invoice's item, one `TransferRequest` each.
- `export_request_file()`: the batch as a Zengin request file, kept on the batch, so that
  exporting again gives the same bytes.
- `import_result_file()`: the bank's result file is checked whole against the request
  first; a file with any error is refused with its line and field and changes nothing.
  振替済 (0) records the payment through `services.record_payment()` — idempotent, so
  the same file imported twice changes nothing; other codes stay on the request for
  staff to see, and the invoice stays open.

Every change and every read of an account (personal data) is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.japanese import banks
from madoguchi.japanese.zengin_kana import ZENGIN_NAME_LENGTH, ZenginKanaError, to_zengin_kana

from . import services, zengin
from .models import (
    AccountType,
    BankAccount,
    BankAccountStatus,
    Channel,
    Invoice,
    InvoiceStatus,
    Item,
    PaymentSettings,
    TransferBatch,
    TransferBatchStatus,
    TransferRequest,
)

ACCOUNT_FIELDS = [
    "payer_name",
    "payer_number",
    "customer_number",
    "bank_code",
    "branch_code",
    "account_type",
    "account_number",
    "holder_kana",
    "items",
    "status",
    "valid_from",
]
CUSTOMER_NUMBER_LENGTH = 20


class TransferError(Exception):
    """A transfer step that cannot be done as asked; `message` says why, for staff."""

    def __init__(self, code: str, message: Any) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


def result_label(code: str) -> str:
    """振替結果コード → its name ('1' → 資金不足); '' while no result came back."""
    return str(zengin.RESULT_CODES.get(code, code)) if code else ""


# --- accounts ---------------------------------------------------------------------------


def zengin_name(value: str, length: int = ZENGIN_NAME_LENGTH) -> str:
    """A name in Zengin kana, cut to the field's length."""
    return to_zengin_kana(value)[:length]


def _next_customer_number(municipality: Municipality) -> str:
    # Digits only: the 顧客番号 of the Zengin data record is a numeric field.
    count = BankAccount.unscoped.filter(municipality=municipality).count()
    while True:
        count += 1
        candidate = f"{count:010d}"
        if not BankAccount.unscoped.filter(municipality=municipality, customer_number=candidate).exists():
            return candidate


@transaction.atomic
def register_account(
    municipality: Municipality,
    *,
    payer_name: str,
    bank_code: str,
    branch_code: str,
    account_type: str,
    account_number: str,
    holder_name: str,
    items: list[str],
    valid_from: dt.date,
    payer: Any = None,
    payer_number: str = "",
    customer_number: str = "",
    actor: Any = None,
    request: HttpRequest | None = None,
) -> BankAccount:
    """口座振替の登録. Raises ValidationError (keyed by field) when the bank or branch is
    not in the Zengin table, the number is not 7 digits, or the holder's name cannot be
    written in Zengin kana."""
    errors: dict[str, list[Any]] = {}
    branch = None
    try:
        banks.validate_bank_code(bank_code)
    except ValidationError as error:
        errors["bank_code"] = error.messages
    else:
        try:
            branch = banks.validate_branch(bank_code, branch_code)
        except ValidationError as error:
            errors["branch_code"] = error.messages
    try:
        account_number = banks.normalize_account_number(account_number)
    except ValidationError as error:
        errors["account_number"] = error.messages
    try:
        holder_kana = to_zengin_kana(holder_name)
        if not holder_kana:
            errors["holder_kana"] = [_("口座名義を入力してください。")]
        elif len(holder_kana) > ZENGIN_NAME_LENGTH:
            errors["holder_kana"] = [_("口座名義は半角カナで30文字までです。")]
    except ZenginKanaError as error:
        errors["holder_kana"] = [_("口座名義に使えない文字があります：%(c)s") % {"c": "".join(error.characters)}]
    if account_type not in AccountType.values:
        errors["account_type"] = [_("預金種目を選んでください。")]
    unknown = [item for item in items if item not in Item.values]
    if not items or unknown:
        errors["items"] = [_("振替する科目を選んでください。")]
    customer_number = customer_number.strip()
    if customer_number and not (
        customer_number.isascii() and customer_number.isdigit() and len(customer_number) <= CUSTOMER_NUMBER_LENGTH
    ):
        errors["customer_number"] = [_("顧客番号は20桁以内の数字です。")]
    if payer is None and not payer_number.strip():
        # Without either, no invoice would ever be matched to the account.
        errors["payer_number"] = [_("宛名番号を入力してください。")]
    if errors:
        raise ValidationError(errors)
    assert branch is not None
    with municipality_scope(municipality):
        if not customer_number:
            customer_number = _next_customer_number(municipality)
        elif BankAccount.objects.filter(customer_number=customer_number).exists():
            raise ValidationError({"customer_number": [_("この顧客番号は既に使われています。")]})
        account = BankAccount.objects.create(
            municipality=municipality,
            payer=payer,
            payer_number=payer_number,
            payer_name=payer_name,
            customer_number=customer_number,
            bank_code=branch.bank_code,
            branch_code=branch.code,
            account_type=account_type,
            account_number=account_number,
            holder_kana=holder_kana,
            items=list(items),
            valid_from=valid_from,
            registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    audit.record(
        action=audit.Action.CREATE,
        obj=account,
        municipality=municipality,
        actor=actor,
        request=request,
        personal_data=True,
        subject=payer,
        fields=ACCOUNT_FIELDS,
    )
    return account


@transaction.atomic
def set_account_status(
    account: BankAccount, status: str, *, actor: Any = None, request: HttpRequest | None = None
) -> BankAccount:
    """停止 (suspended: no new transfers until resumed), 再開 (active) or 廃止
    (cancelled, for good)."""
    if status not in BankAccountStatus.values:
        raise ValueError(f"unknown status {status!r}")
    with municipality_scope(account.municipality_id):
        account = BankAccount.objects.select_for_update().get(pk=account.pk)
        if account.status == status:
            return account
        if account.status == BankAccountStatus.CANCELLED:
            raise TransferError("cancelled", _("廃止した口座振替は再開できません。新しく登録してください。"))
        previous = account.status
        account.status = status
        account.save(update_fields=["status", "updated_at"])
    audit.record(
        action=audit.Action.UPDATE,
        obj=account,
        actor=actor,
        request=request,
        personal_data=True,
        subject=account.payer,
        fields=["status"],
        extra={"from": previous, "to": status},
    )
    return account


def view_account(account: BankAccount, *, request: HttpRequest) -> None:
    """Record that staff read an account's details (personal data)."""
    audit.record(
        action=audit.Action.VIEW,
        obj=account,
        request=request,
        personal_data=True,
        subject=account.payer,
        fields=ACCOUNT_FIELDS,
    )


# --- batches ----------------------------------------------------------------------------


def _account_for(
    invoice: Invoice, by_payer: dict[int, list[BankAccount]], by_number: dict[str, list[BankAccount]]
) -> BankAccount | None:
    candidates = (by_payer.get(invoice.payer_id, []) if invoice.payer_id else []) + (
        by_number.get(invoice.payer_number, []) if invoice.payer_number else []
    )
    covering = [a for a in candidates if invoice.item in a.items]
    # The newest registration wins when a payer has registered more than one.
    return max(covering, key=lambda a: (a.valid_from, a.pk)) if covering else None


def collectable(municipality: Municipality, transfer_date: dt.date) -> list[tuple[Invoice, BankAccount]]:
    """What a batch for `transfer_date` would collect: open invoices due on or before
    the date, of payers with an active account (valid from the date on) that covers the
    invoice's item, and not waiting in or collected by another batch. Invoices whose
    earlier transfer failed (資金不足 …) are collected again (再振替)."""
    with municipality_scope(municipality):
        accounts = list(BankAccount.objects.filter(status=BankAccountStatus.ACTIVE, valid_from__lte=transfer_date))
        by_payer: dict[int, list[BankAccount]] = {}
        by_number: dict[str, list[BankAccount]] = {}
        for account in accounts:
            if account.payer_id:
                by_payer.setdefault(account.payer_id, []).append(account)
            if account.payer_number:
                by_number.setdefault(account.payer_number, []).append(account)
        if not accounts:
            return []
        taken = TransferRequest.objects.filter(Q(result_code="") | Q(result_code=zengin.TRANSFERRED)).values(
            "invoice_id"
        )
        invoices = (
            Invoice.objects.filter(
                status__in=[InvoiceStatus.UNPAID, InvoiceStatus.PARTLY_PAID], due_date__lte=transfer_date
            )
            .filter(Q(payer_id__in=list(by_payer)) | Q(payer_number__in=list(by_number)))
            .exclude(pk__in=taken)
            .order_by("due_date", "number")
        )
        pairs = []
        for invoice in invoices:
            account = _account_for(invoice, by_payer, by_number)
            if account is not None and invoice.balance > 0:
                pairs.append((invoice, account))
        return pairs


@transaction.atomic
def create_batch(
    municipality: Municipality, transfer_date: dt.date, *, actor: Any = None, request: HttpRequest | None = None
) -> TransferBatch:
    """振替依頼の作成: one request per collectable invoice. Refused when there is nothing
    to collect on that date."""
    with municipality_scope(municipality):
        # Two batches made at once would both take the same invoices: the second waits
        # for the first on the locked registrations, then finds them taken.
        list(BankAccount.objects.select_for_update().filter(status=BankAccountStatus.ACTIVE).values_list("pk"))
    pairs = collectable(municipality, transfer_date)
    if not pairs:
        raise TransferError("empty", _("この振替日に口座振替で納める納付書はありません。"))
    with municipality_scope(municipality):
        batch = TransferBatch.objects.create(
            municipality=municipality,
            transfer_date=transfer_date,
            record_count=len(pairs),
            total_amount=sum(invoice.balance for invoice, _account in pairs),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        TransferRequest.objects.bulk_create(
            TransferRequest(
                municipality=municipality, batch=batch, invoice=invoice, bank_account=account, amount=invoice.balance
            )
            for invoice, account in pairs
        )
    audit.record(
        action=audit.Action.CREATE,
        obj=batch,
        municipality=municipality,
        actor=actor,
        request=request,
        fields=["transfer_date", "record_count", "total_amount"],
        extra={"invoices": [invoice.number for invoice, _account in pairs]},
    )
    return batch


def requests_of(batch: TransferBatch) -> QuerySet[TransferRequest]:
    """The batch's requests in the order of the file's data records."""
    with municipality_scope(batch.municipality_id):
        return TransferRequest.objects.filter(batch=batch).select_related("invoice", "bank_account").order_by("pk")


def _settings(municipality: Municipality) -> PaymentSettings:
    settings = PaymentSettings.objects.filter(municipality=municipality).first()
    code = settings.consignor_code if settings else ""
    if settings is None or not (len(code) == 10 and code.isascii() and code.isdigit()):
        raise TransferError("settings", _("収納の設定に口座振替の委託者コード（10桁）がありません。"))
    if banks.get_branch(settings.collecting_bank_code, settings.collecting_branch_code) is None:
        raise TransferError("settings", _("収納の設定に取りまとめ金融機関・支店がありません。"))
    return settings


def _bank_names(bank_code: str, branch_code: str) -> tuple[str, str]:
    bank = banks.get_bank(bank_code)
    branch = banks.get_branch(bank_code, branch_code)
    return (
        zengin_name(bank.kana, 15) if bank else "",
        zengin_name(branch.kana, 15) if branch else "",
    )


def _header(municipality: Municipality, transfer_date: dt.date) -> zengin.Header:
    settings = _settings(municipality)
    bank_name, branch_name = _bank_names(settings.collecting_bank_code, settings.collecting_branch_code)
    name = settings.consignor_name_kana or municipality.name_kana
    try:
        consignor_name = zengin_name(name, 40)
    except ZenginKanaError:
        raise TransferError("settings", _("委託者名をカナで設定してください。")) from None
    # PaymentSettings has no 預金種目・口座番号 of the consignor; the layout lets them be
    # left at zero (the bank knows the account from the 委託者コード).
    return zengin.Header(
        consignor_code=settings.consignor_code,
        consignor_name=consignor_name,
        transfer_mmdd=zengin.Header.mmdd(transfer_date),
        bank_code=settings.collecting_bank_code,
        bank_name=bank_name,
        branch_code=settings.collecting_branch_code,
        branch_name=branch_name,
    )


def _data_record(item: TransferRequest, *, first: bool) -> zengin.DataRecord:
    account = item.bank_account
    bank_name, branch_name = _bank_names(account.bank_code, account.branch_code)
    return zengin.DataRecord(
        bank_code=account.bank_code,
        bank_name=bank_name,
        branch_code=account.branch_code,
        branch_name=branch_name,
        account_type=account.account_type,
        account_number=account.account_number,
        holder_name=account.holder_kana,
        amount=item.amount,
        customer_number=account.customer_number.zfill(CUSTOMER_NUMBER_LENGTH),
        new_code="1" if first else "0",
    )


@transaction.atomic
def export_request_file(batch: TransferBatch, *, actor: Any = None, request: HttpRequest | None = None) -> bytes:
    """The batch's request file. Written once and kept on the batch: every later export
    returns the same bytes (what the bank already has)."""
    with municipality_scope(batch.municipality_id):
        batch = TransferBatch.objects.select_for_update().get(pk=batch.pk)
        if not batch.request_file:
            items = list(requests_of(batch))
            earlier = set(
                TransferRequest.objects.filter(bank_account__in=[i.bank_account_id for i in items])
                .exclude(batch=batch)
                .filter(batch__created_at__lt=batch.created_at)
                .values_list("bank_account_id", flat=True)
            )
            seen: set[int] = set()
            records = []
            for item in items:
                records.append(_data_record(item, first=item.bank_account_id not in earlier | seen))
                seen.add(item.bank_account_id)
            batch.request_file = zengin.write_file(_header(batch.municipality, batch.transfer_date), records)
            batch.status = TransferBatchStatus.EXPORTED
            batch.exported_at = timezone.now()
            batch.save(update_fields=["request_file", "status", "exported_at"])
    audit.record(
        action=audit.Action.EXPORT,
        obj=batch,
        actor=actor,
        request=request,
        personal_data=True,
        fields=["request_file"],
        extra={"records": batch.record_count, "total": batch.total_amount},
    )
    return bytes(batch.request_file)


# --- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    records: int
    transferred: int
    failed: int
    payments_recorded: int  # new payments; 0 when the same file comes again


_COMPARED = ("bank_code", "branch_code", "account_type", "account_number", "amount", "customer_number")


def _check_against_request(batch: TransferBatch, result: zengin.TransferFile) -> list[TransferRequest]:
    """The result must answer this batch's request record by record; the first
    difference is an error of its line and field."""
    sent = zengin.parse_file(bytes(batch.request_file))
    header_label = {f.name: f.label for f in zengin.HEADER_FIELDS}
    data_label = {f.name: f.label for f in zengin.DATA_FIELDS}
    for name in ("consignor_code", "transfer_mmdd", "bank_code"):
        if getattr(result.header, name) != getattr(sent.header, name):
            raise zengin.ZenginError(1, header_label[name], _("この振替依頼の依頼データと異なります。"))
    items = list(requests_of(batch))
    if len(result.records) != len(items):
        trailer_line = (result.lines[-1] if result.lines else 1) + 1
        raise zengin.ZenginError(
            trailer_line,
            _("合計件数"),
            _("この振替依頼は%(count)d件です。") % {"count": len(items)},
        )
    for line, record, asked, item in zip(result.lines, result.records, sent.records, items, strict=True):
        for name in _COMPARED:
            if getattr(record, name) != getattr(asked, name):
                raise zengin.ZenginError(line, data_label[name], _("この振替依頼の依頼データと異なります。"))
        if item.result_code and item.result_code != record.result_code:
            raise zengin.ZenginError(
                line,
                data_label["result_code"],
                _("既に取り込んだ結果（%(code)s）と異なります。") % {"code": item.result_code},
            )
    return items


def import_result_file(
    batch: TransferBatch, data: bytes, *, actor: Any = None, request: HttpRequest | None = None
) -> ImportSummary:
    """振替結果の取込. Raises `zengin.ZenginError` (line and field) for a file that is
    malformed or does not answer this batch, and `TransferError` when the batch was not
    sent yet; in both cases nothing changes."""
    if not batch.request_file:
        raise TransferError("not_exported", _("依頼ファイルを出力していない振替依頼です。"))
    result = zengin.parse_file(data, result=True)
    with transaction.atomic(), municipality_scope(batch.municipality_id):
        batch = TransferBatch.objects.select_for_update().get(pk=batch.pk)
        items = _check_against_request(batch, result)
        now = timezone.now()
        recorded = 0
        for record, item in zip(result.records, items, strict=True):
            if not item.result_code:
                item.result_code = record.result_code
                item.result_at = now
                item.save(update_fields=["result_code", "result_at"])
            if record.result_code == zengin.TRANSFERRED:
                outcome = services.record_payment(
                    item.invoice,
                    channel=Channel.ACCOUNT_TRANSFER,
                    reference=f"transfer:{batch.pk}:{item.pk}",
                    amount=item.amount,
                    paid_on=batch.transfer_date,
                    actor=actor if actor is not None else getattr(request, "user", None),
                    note=f"口座振替 {batch.transfer_date:%Y-%m-%d}",
                    # The money has left the payer's account: an invoice cancelled in the
                    # meantime keeps it as refundable, it is not lost.
                    allow_cancelled=True,
                )
                recorded += int(outcome.created)
        batch.result_file_sha256 = hashlib.sha256(data).hexdigest()
        batch.status = TransferBatchStatus.RESULTS_IMPORTED
        if batch.results_imported_at is None:
            batch.results_imported_at = now
        batch.save(update_fields=["result_file_sha256", "status", "results_imported_at"])
        assert result.trailer is not None
        summary = ImportSummary(
            records=len(items),
            transferred=result.trailer.transferred_count,
            failed=result.trailer.failed_count,
            payments_recorded=recorded,
        )
        audit.record(
            action=audit.Action.UPDATE,
            obj=batch,
            actor=actor,
            request=request,
            fields=["status", "result_file_sha256"],
            extra={
                "transferred": summary.transferred,
                "failed": summary.failed,
                "payments_recorded": recorded,
                "sha256": batch.result_file_sha256,
            },
        )
    return summary
