"""Payment notices (収納データ) from every channel and their reconciliation (消込).

A `NoticeImport` is one file received from a channel (a convenience-store agent's
preliminary or final notice, the Pay-easy network, the bank's transfer list …); each of
its records is a `PaymentNotice`, matched to an invoice or left in the exception queue
for staff.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import TenantModel

from .invoices import Invoice, Payment


class NoticeKind(models.TextChoices):
    PRELIMINARY = "preliminary", _("速報")
    FINAL = "final", _("確報")
    CANCELLATION = "cancellation", _("取消")
    SINGLE = "single", _("収納通知")


class NoticeImport(TenantModel):  # type: ignore[django-manager-missing]
    """収納データの取込: one file from one channel, imported whole or not at all."""

    channel = models.CharField(_("収納チャネル"), max_length=30)
    kind = models.CharField(_("種別"), max_length=20, choices=NoticeKind.choices)
    file_name = models.CharField(_("ファイル名"), max_length=200)
    sha256 = models.CharField(_("ファイルのハッシュ"), max_length=64)
    record_count = models.PositiveIntegerField(_("件数"), default=0)
    total_amount = models.BigIntegerField(_("合計金額（円）"), default=0)
    matched_count = models.PositiveIntegerField(_("消込済み件数"), default=0)
    exception_count = models.PositiveIntegerField(_("要確認件数"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("取込者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("取込日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("収納データの取込")
        verbose_name_plural = _("収納データの取込")
        ordering = ["-imported_at"]
        constraints = [
            # The same file twice is recognised and not imported again.
            models.UniqueConstraint(fields=["municipality", "channel", "sha256"], name="notice_import_file_unique")
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.record_count})"


class NoticeStatus(models.TextChoices):
    MATCHED = "matched", _("消込済み")
    EXCEPTION = "exception", _("要確認")
    RESOLVED = "resolved", _("確認済み（手動消込）")
    IGNORED = "ignored", _("対象外")


class ExceptionReason(models.TextChoices):
    UNKNOWN_NUMBER = "unknown_number", _("該当する納付書がない")
    AMOUNT_DIFFERS = "amount_differs", _("金額が異なる")
    DUPLICATE = "duplicate", _("二重納付")
    AFTER_CANCELLATION = "after_cancellation", _("取消し後の納付")
    CONFLICT = "conflict", _("同じ識別子で内容が異なる")


class PaymentNotice(TenantModel):
    """収納通知: one payment reported by a channel, and what became of it."""

    notice_import = models.ForeignKey(
        NoticeImport, verbose_name=_("取込"), null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    channel = models.CharField(_("収納チャネル"), max_length=30)
    kind = models.CharField(_("種別"), max_length=20, choices=NoticeKind.choices)
    record_key = models.CharField(
        _("データの識別子"), max_length=100, help_text=_("チャネルが付けた一件ごとの番号（取扱店・日時・通番など）")
    )
    invoice_number = models.CharField(_("納付番号"), max_length=44)
    amount = models.BigIntegerField(_("金額（円）"))
    paid_on = models.DateField(_("収納日"))
    details = models.JSONField(_("詳細"), default=dict, blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=NoticeStatus.choices, db_index=True)
    exception_reason = models.CharField(
        _("要確認の理由"), max_length=30, choices=ExceptionReason.choices, blank=True, db_index=True
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("納付書"), null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    payment = models.ForeignKey(
        Payment, verbose_name=_("収納"), null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("確認した職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    decision_note = models.CharField(_("確認の内容"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("収納通知")
        verbose_name_plural = _("収納通知")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "channel", "kind", "record_key"], name="payment_notice_record_unique"
            )
        ]
        indexes = [models.Index(fields=["municipality", "status", "paid_on"], name="notice_status_day")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.record_key} {self.amount:,}円"
