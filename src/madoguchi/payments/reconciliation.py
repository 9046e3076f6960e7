"""消込 (reconciliation): payment notice files in, payments on invoices out, and the
exception queue for what cannot be matched by itself.

- `import_notice_file()` reads a file with one of the `notice_formats` (streaming) and
  reconciles it **in chunks, set-based**: per chunk one query for the invoices, one for
  the notices and one for the payments already recorded, then bulk inserts of `Payment`
  and `PaymentNotice` rows and a bulk update of the invoices. The whole file is one
  transaction: a malformed record anywhere imports nothing. The same file again is
  recognised by its SHA-256 (`NoticeImport`'s unique constraint) and the same record in
  another file by its record key (`PaymentNotice`'s), so nothing is applied twice.
- The staff's decisions on the exception queue — `match_manually()`, `ignore()`,
  `refund_overpayment()` — each go through `payments.services` and are audited.
- `daily_collection()`: the 日計表, what was collected per day, channel and item.

Exactly-once rests on the database: a payment's (channel, reference) is unique, and a
convenience-store payment keeps one reference from its preliminary notice (速報) to its
final notice (確報), so the final notice finds the payment and does not pay twice; a
cancellation (速報取消) reverses it with a negative payment of its own reference.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope

from . import services
from .models import (
    Channel,
    ExceptionReason,
    Invoice,
    InvoiceStatus,
    NoticeImport,
    NoticeKind,
    NoticeStatus,
    Payment,
    PaymentNotice,
    PaymentSettings,
    Refund,
)
from .notice_formats import NoticeFormatError, NoticeRecord, get_format

CHUNK_SIZE = 2000
#: How many exceptions an import keeps in memory to show in its preview.
SAMPLE_SIZE = 50

T = TypeVar("T")


class DuplicateFileError(Exception):
    """The same file (by SHA-256) was imported before: `notice_import`."""

    def __init__(self, notice_import: NoticeImport) -> None:
        super().__init__(f"already imported as #{notice_import.pk}")
        self.notice_import = notice_import


@dataclass
class ImportOutcome:
    """What an import did (or, in a dry run, would do)."""

    format_name: str
    channel: str
    kind: str
    sha256: str
    dry_run: bool
    records: int = 0
    total_amount: int = 0
    matched: int = 0
    exceptions: int = 0
    #: Records already imported from another file (same record key, same content).
    already_known: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    samples: list[dict[str, Any]] = field(default_factory=list)
    notice_import: NoticeImport | None = None


def file_sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: stream.read(1 << 20), b""):
        digest.update(block)
    stream.seek(0)
    return digest.hexdigest()


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _settings_of(municipality: Municipality) -> PaymentSettings | None:
    return PaymentSettings.objects.filter(municipality=municipality).first()


def import_notice_file(
    municipality: Municipality,
    format_name: str,
    stream: IO[bytes],
    *,
    file_name: str,
    actor: Any = None,
    dry_run: bool = False,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
    request: Any = None,
) -> ImportOutcome:
    """Import and reconcile a notice file, whole or not at all.

    Raises `NoticeFormatError` (with the line number) for a malformed file and
    `DuplicateFileError` for a file imported before; neither leaves anything behind. A dry run
    does everything and rolls it back, so its counts are exactly what the import would do.
    """
    fmt = get_format(format_name)(_settings_of(municipality))
    sha = file_sha256(stream)
    with municipality_scope(municipality):
        existing = NoticeImport.objects.filter(channel=fmt.channel, sha256=sha).first()
        if existing is not None:
            raise DuplicateFileError(existing)
        outcome = ImportOutcome(format_name=fmt.name, channel=fmt.channel, kind=fmt.kind, sha256=sha, dry_run=dry_run)
        try:
            with transaction.atomic():
                notice_import = NoticeImport.objects.create(
                    municipality=municipality,
                    channel=fmt.channel,
                    kind=fmt.kind,
                    file_name=file_name[:200],
                    sha256=sha,
                    imported_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
                reconciler = _Reconciler(municipality, notice_import, fmt.channel, outcome)
                for chunk in chunked(fmt.records(stream), chunk_size):
                    reconciler.reconcile(chunk)
                    if progress is not None:
                        progress(outcome.records)
                outcome.kind = fmt.kind
                notice_import.kind = fmt.kind
                notice_import.record_count = outcome.records
                notice_import.total_amount = outcome.total_amount
                notice_import.matched_count = outcome.matched
                notice_import.exception_count = outcome.exceptions
                notice_import.save(
                    update_fields=["kind", "record_count", "total_amount", "matched_count", "exception_count"]
                )
                reconciler.announce()
                audit.record(
                    action=audit.Action.CREATE,
                    obj=notice_import,
                    municipality=municipality,
                    actor=actor,
                    request=request,
                    fields=["record_count", "matched_count", "exception_count"],
                    extra={
                        "format": fmt.name,
                        "kind": fmt.kind,
                        "sha256": sha,
                        "records": outcome.records,
                        "total_amount": outcome.total_amount,
                        "matched": outcome.matched,
                        "exceptions": outcome.exceptions,
                        "already_known": outcome.already_known,
                        "reasons": dict(outcome.reasons),
                    },
                )
                outcome.notice_import = notice_import
                if dry_run:
                    transaction.set_rollback(True)
        except IntegrityError:
            # The same file, imported at the same moment by someone else.
            existing = NoticeImport.objects.filter(channel=fmt.channel, sha256=sha).first()
            if existing is None:
                raise
            raise DuplicateFileError(existing) from None
    if dry_run:
        outcome.notice_import = None
    return outcome


class _Reconciler:
    """Matches one file's records to invoices, one chunk at a time."""

    def __init__(
        self, municipality: Municipality, notice_import: NoticeImport, channel: str, outcome: ImportOutcome
    ) -> None:
        self.municipality = municipality
        self.notice_import = notice_import
        self.channel = channel
        self.outcome = outcome
        # Only kept when someone listens: (invoice id, previous status) of changed invoices.
        self.listening = services.invoice_status_changed.has_listeners() or services.invoice_settled.has_listeners()
        self.changed: dict[int, str] = {}

    def reconcile(self, records: list[NoticeRecord]) -> None:
        m_id = self.municipality.pk
        known = {
            (n.kind, n.record_key): n
            # The kinds are named so that the unique index (channel, kind, record_key) is used.
            for n in PaymentNotice.objects.filter(
                channel=self.channel,
                kind__in={r.kind for r in records},
                record_key__in={r.record_key for r in records},
            ).only("kind", "record_key", "invoice_number", "amount", "paid_on")
        }
        references: set[str] = set()
        for r in records:
            references.add(r.reference)
            references.add(f"{r.reference}:cancel")
        payments: dict[tuple[str, str], Payment] = {
            (p.channel, p.reference): p
            for p in Payment.objects.filter(
                channel__in={r.payment_channel for r in records}, reference__in=references
            ).only("id", "channel", "reference", "invoice_id", "amount")
        }
        invoices: dict[str, Invoice] = {
            i.number: i
            for i in Invoice.objects.select_for_update()
            .filter(number__in={r.invoice_number for r in records if r.invoice_number})
            .only("id", "number", "amount", "paid_amount", "refunded_amount", "status", "confirmation_number")
        }
        new_payments: list[Payment] = []
        new_notices: list[PaymentNotice] = []
        touched: dict[int, Invoice] = {}
        for record in records:
            self.outcome.records += 1
            self.outcome.total_amount += -record.amount if record.kind == NoticeKind.CANCELLATION else record.amount
            key = (record.kind, record.record_key)
            record_key = record.record_key
            previous = known.get(key)
            if previous is not None:
                if (previous.invoice_number, previous.amount, previous.paid_on) == (
                    record.invoice_number,
                    record.amount,
                    record.paid_on,
                ):
                    self.outcome.already_known += 1
                    continue
                # Same key, other content: kept beside the first one for staff to look at.
                record_key = f"{record.record_key[:60]}#{self.notice_import.sha256[:12]}-{record.line}"
                reason: str | None = ExceptionReason.CONFLICT
                invoice = invoices.get(record.invoice_number)
                payment = None
            else:
                reason, invoice, payment = self._decide(record, invoices, payments, new_payments, touched)
            notice = PaymentNotice(
                municipality_id=m_id,
                notice_import=self.notice_import,
                channel=self.channel,
                kind=record.kind,
                record_key=record_key,
                invoice_number=record.invoice_number,
                amount=record.amount,
                paid_on=record.paid_on,
                details={
                    **record.details,
                    "line": record.line,
                    "reference": record.reference,
                    "payment_channel": record.payment_channel,
                },
                status=NoticeStatus.EXCEPTION if reason else NoticeStatus.MATCHED,
                exception_reason=reason or "",
                invoice=invoice,
                payment=payment,
            )
            known[(record.kind, record_key)] = notice
            new_notices.append(notice)
            if reason:
                self.outcome.exceptions += 1
                self.outcome.reasons[reason] += 1
                if len(self.outcome.samples) < SAMPLE_SIZE:
                    self.outcome.samples.append(
                        {
                            "line": record.line,
                            "invoice_number": record.invoice_number,
                            "amount": record.amount,
                            "paid_on": record.paid_on,
                            "reason": reason,
                            "reason_label": ExceptionReason(reason).label,
                        }
                    )
            else:
                self.outcome.matched += 1
        # Payment rows first: the notices point at them (bulk_create returns primary keys
        # on PostgreSQL and on SQLite ≥ 3.35).
        Payment.objects.bulk_create(new_payments)
        for notice in new_notices:
            if notice.payment is not None:
                notice.payment_id = notice.payment.pk
        PaymentNotice.objects.bulk_create(new_notices)
        _update_invoices(list(touched.values()))

    def _decide(
        self,
        record: NoticeRecord,
        invoices: dict[str, Invoice],
        payments: dict[tuple[str, str], Payment],
        new_payments: list[Payment],
        touched: dict[int, Invoice],
    ) -> tuple[str | None, Invoice | None, Payment | None]:
        """(exception reason or None, invoice, payment) for one new record."""
        channel = record.payment_channel
        invoice = invoices.get(record.invoice_number)
        if invoice is None:
            return ExceptionReason.UNKNOWN_NUMBER, None, None
        confirmation = record.details.get("confirmation_number")
        if confirmation and confirmation != invoice.confirmation_number:
            # 納付番号 and 確認番号 together identify the invoice (Pay-easy).
            return ExceptionReason.UNKNOWN_NUMBER, None, None
        cancel_reference = f"{record.reference}:cancel"
        original = payments.get((channel, record.reference))
        if record.kind == NoticeKind.CANCELLATION:
            if original is None or original.invoice_id != invoice.pk or (channel, cancel_reference) in payments:
                return ExceptionReason.CONFLICT, invoice, None
            return (
                None,
                invoice,
                self._pay(invoice, record, -original.amount, cancel_reference, payments, new_payments, touched),
            )
        if original is not None:
            # The final notice of a payment its preliminary notice applied: the payment stands.
            if (channel, cancel_reference) in payments:
                return ExceptionReason.CONFLICT, invoice, None
            if original.invoice_id == invoice.pk and original.amount == record.amount:
                return None, invoice, original
            return ExceptionReason.CONFLICT, invoice, None
        if invoice.status == InvoiceStatus.CANCELLED:
            return ExceptionReason.AFTER_CANCELLATION, invoice, None
        if invoice.status in (InvoiceStatus.PAID, InvoiceStatus.OVERPAID):
            return ExceptionReason.DUPLICATE, invoice, None
        if record.amount != invoice.balance:
            return ExceptionReason.AMOUNT_DIFFERS, invoice, None
        return (
            None,
            invoice,
            self._pay(invoice, record, record.amount, record.reference, payments, new_payments, touched),
        )

    def _pay(
        self,
        invoice: Invoice,
        record: NoticeRecord,
        amount: int,
        reference: str,
        payments: dict[tuple[str, str], Payment],
        new_payments: list[Payment],
        touched: dict[int, Invoice],
    ) -> Payment:
        payment = Payment(
            municipality_id=self.municipality.pk,
            invoice_id=invoice.pk,
            channel=record.payment_channel,
            reference=reference,
            amount=amount,
            paid_on=record.paid_on,
            note=f"{self.notice_import.file_name[:150]}:{record.line}",
        )
        payments[(record.payment_channel, reference)] = payment
        new_payments.append(payment)
        previous = invoice.status
        invoice.paid_amount += amount
        invoice.status = services._status_for(invoice)
        touched[invoice.pk] = invoice
        if self.listening and invoice.status != previous:
            self.changed.setdefault(invoice.pk, previous)
        return payment

    def announce(self) -> None:
        """After commit, tell the modules that listen which invoices changed status, as
        `services.record_payment` does for one payment."""
        if not self.changed:
            return
        changed = dict(self.changed)
        municipality_id = self.municipality.pk

        def send() -> None:
            with municipality_scope(municipality_id):
                for ids in chunked(list(changed), CHUNK_SIZE):
                    for invoice in Invoice.objects.filter(pk__in=ids):
                        if invoice.status == changed[invoice.pk]:
                            continue
                        services.invoice_status_changed.send(
                            sender=Invoice, invoice=invoice, previous=changed[invoice.pk]
                        )
                        if invoice.status == InvoiceStatus.PAID:
                            services.invoice_settled.send(sender=Invoice, invoice=invoice)

        transaction.on_commit(send)


def _update_invoices(invoices: list[Invoice]) -> None:
    """paid_amount and status of many invoices in one statement.

    Django's `bulk_update` writes a CASE expression per field with one branch per row,
    which the database evaluates row by row: quadratic in the chunk size. An UPDATE … FROM
    a VALUES list (PostgreSQL, and SQLite since 3.33) joins instead.
    """
    if not invoices:
        return
    table = connection.ops.quote_name(Invoice._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = ", ".join(["(CAST(%s AS bigint), CAST(%s AS bigint), %s)"] * len(invoices))
    params: list[Any] = []
    for invoice in invoices:
        params += [invoice.pk, invoice.paid_amount, invoice.status]
    # Only the model's own table name and placeholders are put into the text; the values
    # travel as parameters.
    sql = (
        f"WITH v(id, paid_amount, status) AS (VALUES {rows}) "  # noqa: S608
        f"UPDATE {table} SET paid_amount = v.paid_amount, status = v.status, updated_at = %s "
        f"FROM v WHERE {table}.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, now])


# --- Staff decisions on the exception queue ---------------------------------------------


class DecisionError(Exception):
    """A decision that cannot be made as asked; the message says why (translated)."""


def _open_notice(notice: PaymentNotice) -> PaymentNotice:
    with municipality_scope(notice.municipality_id):
        fresh = PaymentNotice.objects.select_for_update().get(pk=notice.pk)
    if fresh.status != NoticeStatus.EXCEPTION:
        from django.utils.translation import gettext as _

        raise DecisionError(_("この収納通知は既に処理されています。"))
    return fresh


def _reference_for(notice: PaymentNotice) -> tuple[str, str]:
    """The (channel, reference) a staff-matched payment is recorded under: the channel's
    own reference when it is free, so that a later notice of the same payment finds it."""
    channel = notice.details.get("payment_channel") or notice.channel
    reference = notice.details.get("reference") or f"{notice.channel}:{notice.record_key}"
    with municipality_scope(notice.municipality_id):
        if Payment.objects.filter(channel=channel, reference=reference).exists():
            reference = f"{reference[:80]}:notice-{notice.pk}"
    return channel, reference


def _decide(notice: PaymentNotice, status: str, actor: Any, note: str, **changes: Any) -> None:
    notice.status = status
    notice.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    notice.decided_at = timezone.now()
    notice.decision_note = note[:300]
    for name, value in changes.items():
        setattr(notice, name, value)
    notice.save(update_fields=["status", "decided_by", "decided_at", "decision_note", *changes])


@transaction.atomic
def match_manually(
    notice: PaymentNotice,
    invoice: Invoice,
    *,
    actor: Any,
    note: str,
    allow_cancelled: bool = False,
    request: Any = None,
) -> Payment:
    """手動消込: staff decide which invoice the money is for; the payment is recorded
    through `services.record_payment` (on a cancelled invoice only if staff say so)."""
    from django.utils.translation import gettext as _

    notice = _open_notice(notice)
    if invoice.municipality_id != notice.municipality_id:
        raise DecisionError(_("他の団体の納付書には消し込めません。"))
    if notice.kind == NoticeKind.CANCELLATION:
        raise DecisionError(_("取消の通知は消し込めません。対象外にしてください。"))
    channel, reference = _reference_for(notice)
    try:
        result = services.record_payment(
            invoice,
            channel=channel,
            reference=reference,
            amount=notice.amount,
            paid_on=notice.paid_on,
            actor=actor,
            note=note,
            allow_cancelled=allow_cancelled,
        )
    except services.PaymentError as error:
        if error.code == "cancelled":
            raise DecisionError(
                _("納付書は取り消されています。取消し後の納付として受け入れる場合はその旨を選んでください。")
            ) from None
        raise DecisionError(_("この収納は記録できません（%(code)s）。") % {"code": error.code}) from None
    _decide(notice, NoticeStatus.RESOLVED, actor, note, invoice=invoice, payment=result.payment)
    audit.record(
        action=audit.Action.UPDATE,
        obj=notice,
        actor=actor,
        request=request,
        fields=["status", "invoice", "payment"],
        extra={
            "decision": "match",
            "invoice": invoice.number,
            "amount": notice.amount,
            "reason": notice.exception_reason,
            "allow_cancelled": allow_cancelled,
            "note": note,
        },
    )
    return result.payment


@transaction.atomic
def ignore(notice: PaymentNotice, *, actor: Any, reason: str, request: Any = None) -> PaymentNotice:
    """対象外: nothing is recorded for this notice (a test record, a transfer that is not
    a payment, a cancellation already handled); the reason is kept."""
    from django.utils.translation import gettext as _

    if not reason.strip():
        raise DecisionError(_("対象外とする理由を入力してください。"))
    notice = _open_notice(notice)
    _decide(notice, NoticeStatus.IGNORED, actor, reason)
    audit.record(
        action=audit.Action.UPDATE,
        obj=notice,
        actor=actor,
        request=request,
        fields=["status"],
        extra={"decision": "ignore", "reason": notice.exception_reason, "note": reason},
    )
    return notice


@transaction.atomic
def refund_overpayment(
    notice: PaymentNotice, invoice: Invoice, *, actor: Any, reason: str, request: Any = None
) -> Refund:
    """過誤納の還付: the money was received (a second payment of a paid invoice, a payment
    after cancellation, too much), so it is recorded on the invoice and a refund of what
    is now paid too much is started (`services.request_refund`; an approver decides)."""
    from django.utils.translation import gettext as _

    if not reason.strip():
        raise DecisionError(_("還付の理由を入力してください。"))
    match_manually(notice, invoice, actor=actor, note=reason, allow_cancelled=True, request=request)
    invoice.refresh_from_db()
    amount = services.refundable_amount(invoice)
    if amount <= 0:
        raise DecisionError(_("この納付書には還付できる過誤納金がありません。"))
    refund = services.request_refund(invoice, amount=amount, reason=reason, actor=actor)
    audit.record(
        action=audit.Action.UPDATE,
        obj=notice,
        actor=actor,
        request=request,
        fields=["status"],
        extra={"decision": "refund", "invoice": invoice.number, "refund": refund.pk, "amount": amount, "note": reason},
    )
    return refund


# --- 日計表: daily collection report ------------------------------------------------------


@dataclass(frozen=True)
class CollectionRow:
    day: datetime.date
    channel: str
    item: str
    count: int
    amount: int


def daily_collection(municipality: Municipality, start: datetime.date, end: datetime.date) -> list[CollectionRow]:
    """What was collected (net of reversals) per day, channel and item, in date order."""
    with municipality_scope(municipality):
        rows = (
            Payment.objects.filter(paid_on__gte=start, paid_on__lte=end)
            .values("paid_on", "channel", "invoice__item")
            .annotate(count=Count("id"), amount=Sum("amount"))
            .order_by("paid_on", "channel", "invoice__item")
        )
        return [
            CollectionRow(r["paid_on"], r["channel"], r["invoice__item"], r["count"], r["amount"] or 0) for r in rows
        ]


def totals_by_channel(rows: Iterable[CollectionRow]) -> list[tuple[str, int, int]]:
    """(channel, count, amount) in the order of `Channel`, channels with nothing left out."""
    counts: Counter[str] = Counter()
    amounts: Counter[str] = Counter()
    for row in rows:
        counts[row.channel] += row.count
        amounts[row.channel] += row.amount
    return [(c, counts[c], amounts[c]) for c in Channel.values if counts[c]]


__all__ = [
    "CollectionRow",
    "DecisionError",
    "DuplicateFileError",
    "ImportOutcome",
    "NoticeFormatError",
    "daily_collection",
    "ignore",
    "import_notice_file",
    "match_manually",
    "refund_overpayment",
    "totals_by_channel",
]
