"""Payments (電子納付・マルチペイメント): invoices, what was paid on them, and refunds.

Every other module asks for money by creating an `Invoice` through
`payments.services.create_invoice()` and learns that it was paid from the invoice's
status (or the `invoice_settled` signal). Money arrives through channels — the online
gateway, convenience stores, Pay-easy, bank transfers, account transfer, the counter —
and is recorded as `Payment` rows by `payments.services.record_payment()`, which is
idempotent per (channel, reference): whatever a channel repeats or reorders, a payment is
applied once.

Amounts are whole yen (integers); Japanese public money has no smaller unit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import Municipality, TenantModel


class Item(models.TextChoices):
    """収納科目: what an invoice is for. The two-digit code is part of the invoice number."""

    MUNICIPAL_INHABITANT_TAX = "municipal_inhabitant_tax", _("市県民税")
    FIXED_ASSET_TAX = "fixed_asset_tax", _("固定資産税・都市計画税")
    LIGHT_VEHICLE_TAX = "light_vehicle_tax", _("軽自動車税")
    NATIONAL_HEALTH_INSURANCE_TAX = "national_health_insurance_tax", _("国民健康保険税")
    LONG_TERM_CARE_PREMIUM = "long_term_care_premium", _("介護保険料")
    LATE_STAGE_ELDERLY_PREMIUM = "late_stage_elderly_premium", _("後期高齢者医療保険料")
    FEE = "fee", _("手数料")
    FACILITY_FEE = "facility_fee", _("施設使用料")
    CHARGE = "charge", _("その他の使用料・負担金")


ITEM_CODES: dict[str, str] = {
    Item.MUNICIPAL_INHABITANT_TAX: "01",
    Item.FIXED_ASSET_TAX: "02",
    Item.LIGHT_VEHICLE_TAX: "03",
    Item.NATIONAL_HEALTH_INSURANCE_TAX: "04",
    Item.LONG_TERM_CARE_PREMIUM: "05",
    Item.LATE_STAGE_ELDERLY_PREMIUM: "06",
    Item.FEE: "20",
    Item.FACILITY_FEE: "21",
    Item.CHARGE: "29",
}

#: Local taxes (地方税): these bills carry the 地方税統一QRコード (eL-QR).
TAX_ITEMS = frozenset(
    {Item.MUNICIPAL_INHABITANT_TAX, Item.FIXED_ASSET_TAX, Item.LIGHT_VEHICLE_TAX, Item.NATIONAL_HEALTH_INSURANCE_TAX}
)


class InvoiceStatus(models.TextChoices):
    UNPAID = "unpaid", _("未納")
    PARTLY_PAID = "partly_paid", _("一部納付")
    PAID = "paid", _("納付済み")
    OVERPAID = "overpaid", _("過誤納")
    CANCELLED = "cancelled", _("取消し")
    REFUNDED = "refunded", _("還付済み")


class Channel(models.TextChoices):
    """収納チャネル: how money reached the municipality."""

    ONLINE_CARD = "online_card", _("クレジットカード")
    ONLINE_BANKING = "online_banking", _("インターネットバンキング")
    CONVENIENCE_STORE = "convenience_store", _("コンビニエンスストア")
    PAY_EASY = "pay_easy", _("ペイジー")
    BANK_TRANSFER = "bank_transfer", _("銀行振込")
    ACCOUNT_TRANSFER = "account_transfer", _("口座振替")
    FINANCIAL_INSTITUTION = "financial_institution", _("指定金融機関等の窓口")
    COUNTER = "counter", _("市役所の窓口")
    ELTAX = "eltax", _("地方税共通納税（eLTAX）")


# The tenant manager is built at run time (django-scopes); see core.models.Department.
class Invoice(TenantModel):  # type: ignore[django-manager-missing]
    """納付書: an amount a payer owes the municipality, with its due date and status."""

    number = models.CharField(
        _("納付番号"), max_length=20, help_text=_("団体内で一意の番号（年度・科目・連番・検査数字）")
    )
    confirmation_number = models.CharField(
        _("確認番号"), max_length=6, help_text=_("ペイジーで納付番号とともに入力する番号")
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("納付者のアカウント"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
    )
    payer_number = models.CharField(
        _("宛名番号"), max_length=20, blank=True, help_text=_("税務システム等での納税義務者の番号")
    )
    payer_name = models.CharField(_("納付者氏名・名称"), max_length=200)
    payer_name_kana = models.CharField(_("納付者氏名（フリガナ）"), max_length=200, blank=True)
    payer_postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True)
    payer_address = models.CharField(_("住所"), max_length=300, blank=True)
    payer_email = models.EmailField(_("メールアドレス"), blank=True)
    item = models.CharField(_("科目"), max_length=40, choices=Item.choices)
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    instalment = models.PositiveSmallIntegerField(_("期別"), default=0, help_text=_("第何期か。0 は全期・随時"))
    description = models.CharField(_("内容"), max_length=200, blank=True)
    amount = models.PositiveBigIntegerField(_("請求額（円）"))
    paid_amount = models.BigIntegerField(_("収納済額（円）"), default=0, editable=False)
    refunded_amount = models.BigIntegerField(_("還付済額（円）"), default=0, editable=False)
    issued_on = models.DateField(_("発行日"))
    due_date = models.DateField(_("納期限"))
    # Convenience stores and Pay-easy refuse payment after this date (使用期限).
    payable_until = models.DateField(_("取扱期限"))
    status = models.CharField(
        _("状態"), max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.UNPAID, db_index=True
    )
    cancelled_at = models.DateTimeField(_("取消日時"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消理由"), max_length=200, blank=True)
    # Where the invoice came from: another module's object, or an imported file.
    origin_type = models.CharField(_("発生元の種類"), max_length=100, blank=True)
    origin_id = models.CharField(_("発生元ID"), max_length=64, blank=True)
    return_url = models.CharField(
        _("納付後の戻り先"),
        max_length=500,
        blank=True,
        help_text=_("手続や予約から来た人を納付後に戻す先（サイト内のパス）"),
    )
    source_reference = models.CharField(
        _("取込元の識別子"),
        max_length=100,
        blank=True,
        help_text=_("税務システム等の側の番号。同じ識別子の取込は二重に作られません。"),
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("納付書")
        verbose_name_plural = _("納付書")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "number"], name="invoice_number_unique"),
            models.UniqueConstraint(
                fields=["municipality", "source_reference"],
                condition=~models.Q(source_reference=""),
                name="invoice_source_reference_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status", "due_date"], name="invoice_status_due"),
            models.Index(fields=["municipality", "origin_type", "origin_id"], name="invoice_origin"),
            models.Index(fields=["payer", "status"], name="invoice_payer_status"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_item_display()} {self.amount:,}円"

    @property
    def balance(self) -> int:
        """What is still owed (negative when overpaid and not yet refunded)."""
        return self.amount - self.paid_amount + self.refunded_amount

    @property
    def is_tax(self) -> bool:
        return self.item in TAX_ITEMS

    @property
    def is_open(self) -> bool:
        return self.status in (InvoiceStatus.UNPAID, InvoiceStatus.PARTLY_PAID)


class InvoiceCounter(TenantModel):
    """The last sequence number given out per municipality and fiscal year; locked
    while an invoice number is issued so that two app servers never share one."""

    fiscal_year = models.PositiveSmallIntegerField()
    last_sequence = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("納付番号の採番")
        verbose_name_plural = _("納付番号の採番")
        constraints = [models.UniqueConstraint(fields=["municipality", "fiscal_year"], name="invoice_counter_unique")]

    def __str__(self) -> str:
        return f"{self.fiscal_year}: {self.last_sequence}"


class Payment(TenantModel):  # type: ignore[django-manager-missing]
    """収納: money received for an invoice (or given back, when `amount` is negative:
    a convenience store's cancelled preliminary notice, a reversed transfer)."""

    invoice = models.ForeignKey(Invoice, verbose_name=_("納付書"), on_delete=models.PROTECT, related_name="payments")
    channel = models.CharField(_("収納チャネル"), max_length=30, choices=Channel.choices)
    reference = models.CharField(
        _("チャネルでの識別子"),
        max_length=100,
        help_text=_("決済ID・速報データのキー等。同じチャネルで同じ識別子の収納は一度だけ記録されます。"),
    )
    amount = models.BigIntegerField(_("金額（円）"))
    paid_on = models.DateField(_("収納日"))
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記録した職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("備考"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("収納")
        verbose_name_plural = _("収納")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "channel", "reference"], name="payment_channel_reference_unique"
            )
        ]
        indexes = [models.Index(fields=["municipality", "paid_on", "channel"], name="payment_day_channel")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.amount:,}円 ({self.reference})"


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("還付決定前")
    APPROVED = "approved", _("還付決定")
    PAID = "paid", _("還付済み")
    CANCELLED = "cancelled", _("取消し")


class Refund(TenantModel):
    """還付: giving back what was paid too much (過誤納金) or what a gateway returned."""

    invoice = models.ForeignKey(Invoice, verbose_name=_("納付書"), on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveBigIntegerField(_("還付額（円）"))
    reason = models.CharField(_("理由"), max_length=200)
    status = models.CharField(_("状態"), max_length=20, choices=RefundStatus.choices, default=RefundStatus.REQUESTED)
    channel = models.CharField(
        _("還付の方法"),
        max_length=30,
        choices=Channel.choices,
        blank=True,
        help_text=_("オンライン決済は決済事業者経由で返金"),
    )
    reference = models.CharField(_("返金の識別子"), max_length=100, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("起案者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("決裁者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    paid_at = models.DateTimeField(_("還付日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("還付")
        verbose_name_plural = _("還付")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.invoice.number} {self.amount:,}円 {self.get_status_display()}"


class PaymentSettings(models.Model):
    """収納の設定: the codes a municipality was given by the convenience-store agent,
    the Pay-easy network and its designated bank, printed on every bill."""

    municipality = models.OneToOneField(
        Municipality, verbose_name=_("地方公共団体"), on_delete=models.CASCADE, related_name="payment_settings"
    )
    convenience_company_code = models.CharField(
        _("コンビニ収納の収納企業コード"),
        max_length=6,
        blank=True,
        help_text=_("収納代行会社から割り当てられた料金代理収納の企業コード（GS1-128 の先頭）"),
    )
    pay_easy_institution_number = models.CharField(
        _("ペイジーの収納機関番号"), max_length=5, blank=True, help_text=_("5桁")
    )
    bank_transfer_account = models.CharField(_("振込先口座"), max_length=200, blank=True)
    consignor_code = models.CharField(
        _("口座振替の委託者コード"),
        max_length=10,
        blank=True,
        help_text=_("全銀協の口座振替で金融機関から割り当てられる10桁"),
    )
    consignor_name_kana = models.CharField(_("委託者名（半角カナ）"), max_length=40, blank=True)
    collecting_bank_code = models.CharField(_("取りまとめ金融機関コード"), max_length=4, blank=True)
    collecting_branch_code = models.CharField(_("取りまとめ支店コード"), max_length=3, blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("収納の設定")
        verbose_name_plural = _("収納の設定")

    def __str__(self) -> str:
        return str(self.municipality)
