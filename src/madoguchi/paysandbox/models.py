"""The sandbox gateway's own records: its payments, the events it reports about them,
each sending of a notification, and its refunds. Not tenant models: a gateway knows its
merchant, not the municipalities behind it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    CARD = "card", _("クレジットカード")
    BANK = "bank", _("インターネットバンキング")


class SandboxStatus(models.TextChoices):
    CREATED = "created", _("支払い待ち")
    PENDING = "pending", _("処理中")
    SUCCEEDED = "succeeded", _("支払い完了")
    DECLINED = "declined", _("承認されませんでした")
    CANCELLED = "cancelled", _("中止")
    REFUNDED = "refunded", _("返金済み")


class SandboxPayment(models.Model):
    """サンドボックスの決済: one payment a merchant asked the sandbox to collect."""

    public_id = models.CharField(_("決済ID"), max_length=40, unique=True)
    idempotency_key = models.CharField(_("冪等キー"), max_length=100, unique=True)
    amount = models.PositiveBigIntegerField(_("金額（円）"))
    method = models.CharField(_("決済方法"), max_length=10, choices=Method.choices)
    description = models.CharField(_("内容"), max_length=200, blank=True)
    merchant_reference = models.CharField(_("加盟店の参照番号"), max_length=100, blank=True)
    return_url = models.URLField(_("戻り先"), max_length=500)
    notify_url = models.URLField(_("通知先"), max_length=500)
    status = models.CharField(_("状態"), max_length=20, choices=SandboxStatus.choices, default=SandboxStatus.CREATED)
    status_changed_at = models.DateTimeField(_("状態の変更日時"))
    # A card authorisation that "timed out" settles to this later, silently (no notification).
    settles_to = models.CharField(_("後で確定する状態"), max_length=20, blank=True)
    settles_at = models.DateTimeField(_("確定する時刻"), null=True, blank=True)
    card_last4 = models.CharField(_("カード番号の下4桁"), max_length=4, blank=True)
    bank_name = models.CharField(_("金融機関"), max_length=100, blank=True)
    failure_reason = models.CharField(_("不成立の理由"), max_length=200, blank=True)
    refunded_amount = models.PositiveBigIntegerField(_("返金額（円）"), default=0)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("サンドボックスの決済")
        verbose_name_plural = _("サンドボックスの決済")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.public_id} {self.amount}円 {self.status}"


class SandboxEvent(models.Model):
    """通知する出来事: a change of a payment, as the notification body that reports it."""

    public_id = models.CharField(_("通知ID"), max_length=40, unique=True)
    payment = models.ForeignKey(SandboxPayment, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("種類"), max_length=40)
    occurred_at = models.DateTimeField(_("発生時刻"))
    body = models.TextField(_("本文（JSON）"))

    class Meta:
        verbose_name = _("通知する出来事")
        verbose_name_plural = _("通知する出来事")
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.public_id} {self.type}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("送信待ち")
    SENDING = "sending", _("送信中")
    DELIVERED = "delivered", _("送信済み")
    FAILED = "failed", _("送信失敗")


class SandboxDelivery(models.Model):
    """通知の送信: one sending of an event's notification (an event is sent several times)."""

    event = models.ForeignKey(SandboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    due_at = models.DateTimeField(_("送信予定時刻"))
    status = models.CharField(
        _("状態"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("試行回数"), default=0)
    response_status = models.PositiveSmallIntegerField(_("応答のステータス"), null=True, blank=True)
    last_error = models.TextField(_("最後のエラー"), blank=True)
    delivered_at = models.DateTimeField(_("送信日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知の送信")
        verbose_name_plural = _("通知の送信")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"{self.event.public_id} → {self.status}"


class SandboxRefund(models.Model):
    """サンドボックスの返金."""

    public_id = models.CharField(_("返金ID"), max_length=40, unique=True)
    payment = models.ForeignKey(SandboxPayment, on_delete=models.CASCADE, related_name="refunds")
    amount = models.PositiveBigIntegerField(_("金額（円）"))
    idempotency_key = models.CharField(_("冪等キー"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("サンドボックスの返金")
        verbose_name_plural = _("サンドボックスの返金")

    def __str__(self) -> str:
        return f"{self.public_id} {self.amount}円"
