"""Account transfer (口座振替): payers' registered bank accounts and the monthly
transfer requests exchanged with the bank as Zengin files."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import TenantModel

from .invoices import Invoice


class AccountType(models.TextChoices):
    """預金種目 (全銀協の口座振替で使う番号)."""

    ORDINARY = "1", _("普通")
    CURRENT = "2", _("当座")
    SAVINGS = "4", _("貯蓄")
    OTHER = "9", _("その他")


class BankAccountStatus(models.TextChoices):
    ACTIVE = "active", _("振替中")
    SUSPENDED = "suspended", _("停止中")
    CANCELLED = "cancelled", _("廃止")


class BankAccount(TenantModel):  # type: ignore[django-manager-missing]
    """口座振替の登録: the account from which a payer's invoices are collected."""

    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("納付者のアカウント"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    payer_number = models.CharField(_("宛名番号"), max_length=20, blank=True)
    payer_name = models.CharField(_("納付者氏名・名称"), max_length=200)
    customer_number = models.CharField(
        _("顧客番号"), max_length=20, help_text=_("振替データで口座を識別する番号（20桁まで）")
    )
    bank_code = models.CharField(_("金融機関コード"), max_length=4)
    branch_code = models.CharField(_("支店コード"), max_length=3)
    account_type = models.CharField(_("預金種目"), max_length=1, choices=AccountType.choices)
    account_number = models.CharField(_("口座番号"), max_length=7)
    holder_kana = models.CharField(_("口座名義（半角カナ）"), max_length=30)
    items = models.JSONField(_("振替する科目"), default=list)
    status = models.CharField(
        _("状態"), max_length=20, choices=BankAccountStatus.choices, default=BankAccountStatus.ACTIVE
    )
    valid_from = models.DateField(_("振替開始日"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録した職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("口座振替の登録")
        verbose_name_plural = _("口座振替の登録")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "customer_number"], name="bank_account_customer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.payer_name} {self.bank_code}-{self.branch_code} {self.account_number}"


class TransferBatchStatus(models.TextChoices):
    DRAFT = "draft", _("作成中")
    EXPORTED = "exported", _("依頼済み")
    RESULTS_IMPORTED = "results_imported", _("結果取込済み")


class TransferBatch(TenantModel):  # type: ignore[django-manager-missing]
    """振替依頼: one transfer date's requests, sent to the bank as one Zengin file."""

    transfer_date = models.DateField(_("振替日"))
    status = models.CharField(
        _("状態"), max_length=20, choices=TransferBatchStatus.choices, default=TransferBatchStatus.DRAFT
    )
    record_count = models.PositiveIntegerField(_("件数"), default=0)
    total_amount = models.BigIntegerField(_("合計金額（円）"), default=0)
    request_file = models.BinaryField(_("依頼ファイル"), blank=True, default=b"")
    result_file_sha256 = models.CharField(_("結果ファイルのハッシュ"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作成した職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    exported_at = models.DateTimeField(_("依頼日時"), null=True, blank=True)
    results_imported_at = models.DateTimeField(_("結果取込日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("口座振替の依頼")
        verbose_name_plural = _("口座振替の依頼")
        ordering = ["-transfer_date"]

    def __str__(self) -> str:
        return f"{self.transfer_date} ({self.record_count})"


class TransferRequest(TenantModel):
    """振替データ: one invoice to collect from one account in a batch, and its result."""

    batch = models.ForeignKey(
        TransferBatch, verbose_name=_("振替依頼"), on_delete=models.CASCADE, related_name="requests"
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("納付書"), on_delete=models.PROTECT, related_name="transfer_requests"
    )
    bank_account = models.ForeignKey(
        BankAccount, verbose_name=_("口座"), on_delete=models.PROTECT, related_name="requests"
    )
    amount = models.PositiveBigIntegerField(_("金額（円）"))
    result_code = models.CharField(
        _("振替結果コード"), max_length=1, blank=True, help_text=_("0 振替済・1 資金不足・2 取引なし・3 預金者都合 …")
    )
    result_at = models.DateTimeField(_("結果取込日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("振替データ")
        verbose_name_plural = _("振替データ")
        constraints = [models.UniqueConstraint(fields=["batch", "invoice"], name="transfer_request_unique")]

    def __str__(self) -> str:
        return f"{self.invoice.number} {self.amount:,}円 {self.result_code or '-'}"
