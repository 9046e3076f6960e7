"""Online payment (オンライン決済) through card and internet-banking gateways.

An `OnlinePayment` is one attempt to pay an invoice through a gateway (the payer may try
several times); `GatewayNotification` keeps every server-to-server notification the
gateway sent, so that a repeated or reordered notification is recognised and applied once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import TenantModel

from .invoices import Invoice


class OnlinePaymentStatus(models.TextChoices):
    CREATED = "created", _("作成")
    PENDING = "pending", _("決済手続中")
    SUCCEEDED = "succeeded", _("決済完了")
    DECLINED = "declined", _("決済不可")
    FAILED = "failed", _("エラー")
    EXPIRED = "expired", _("期限切れ")
    CANCELLED = "cancelled", _("中止")
    REFUNDED = "refunded", _("返金済み")


#: Nothing more happens to an attempt in these states (a refund aside).
FINAL_ONLINE_STATUSES = frozenset(
    {
        OnlinePaymentStatus.SUCCEEDED,
        OnlinePaymentStatus.DECLINED,
        OnlinePaymentStatus.FAILED,
        OnlinePaymentStatus.EXPIRED,
        OnlinePaymentStatus.CANCELLED,
        OnlinePaymentStatus.REFUNDED,
    }
)


class OnlinePayment(TenantModel):
    """オンライン決済: one attempt to pay an invoice through a payment gateway."""

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("納付書"), on_delete=models.PROTECT, related_name="online_payments"
    )
    provider = models.CharField(_("決済事業者"), max_length=40, help_text=_("決済事業者の登録名（sandbox など）"))
    method = models.CharField(
        _("決済方法"), max_length=30, help_text=_("収納チャネル（クレジットカード・インターネットバンキング）")
    )
    amount = models.PositiveBigIntegerField(_("金額（円）"))
    status = models.CharField(
        _("状態"),
        max_length=20,
        choices=OnlinePaymentStatus.choices,
        default=OnlinePaymentStatus.CREATED,
        db_index=True,
    )
    provider_reference = models.CharField(_("決済ID"), max_length=100, blank=True)
    # The payer's own attempt key (one per click of 支払う): a double click starts one
    # attempt, not two.
    attempt_key = models.CharField(_("試行キー"), max_length=64)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("支払った人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_url = models.CharField(_("決済後の戻り先"), max_length=500, blank=True)
    failure_reason = models.CharField(_("不成立の理由"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    completed_at = models.DateTimeField(_("完了日時"), null=True, blank=True)
    # Gateways sometimes report events out of order; the newest event time applied wins.
    last_event_at = models.DateTimeField(_("最後に反映した通知の時刻"), null=True, blank=True)

    class Meta:
        verbose_name = _("オンライン決済")
        verbose_name_plural = _("オンライン決済")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~models.Q(provider_reference=""),
                name="online_payment_provider_reference_unique",
            ),
            models.UniqueConstraint(fields=["municipality", "attempt_key"], name="online_payment_attempt_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_reference or self.attempt_key} {self.amount:,}円"


class NotificationResult(models.TextChoices):
    APPLIED = "applied", _("反映")
    DUPLICATE = "duplicate", _("重複（反映済み）")
    STALE = "stale", _("古い通知（無視）")
    REJECTED = "rejected", _("署名不正・不明（拒否）")


class GatewayNotification(models.Model):
    """決済通知: a server-to-server notification from a gateway, kept as received.

    Not a tenant model: the notification names the gateway's payment, and the municipality
    is known only once that payment is found."""

    provider = models.CharField(_("決済事業者"), max_length=40)
    event_id = models.CharField(_("通知ID"), max_length=100)
    event_type = models.CharField(_("種類"), max_length=50, blank=True)
    event_at = models.DateTimeField(_("通知の発生時刻"), null=True, blank=True)
    received_at = models.DateTimeField(_("受信日時"), auto_now_add=True)
    body = models.TextField(_("本文"))
    signature_valid = models.BooleanField(_("署名の検証結果"), default=False)
    online_payment = models.ForeignKey(
        OnlinePayment,
        verbose_name=_("オンライン決済"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    result = models.CharField(_("処理結果"), max_length=20, choices=NotificationResult.choices, blank=True)

    class Meta:
        verbose_name = _("決済通知")
        verbose_name_plural = _("決済通知")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"],
                condition=models.Q(signature_valid=True),
                name="gateway_notification_event_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id} {self.event_type}"
