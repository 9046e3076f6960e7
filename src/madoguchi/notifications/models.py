"""The outbox (送信メッセージ): every notification the deployment sends, as it was sent.

A message is rendered once, in the recipient's language, when `services.notify()` is
called; the worker only delivers what is stored here, so that staff read exactly what
the resident received and a retry sends the same text again.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from madoguchi.core.models import Municipality, TenantModel, TenantQuerySet


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("送信待ち")
    SENDING = "sending", _("送信中")
    SENT = "sent", _("送信済み")
    FAILED = "failed", _("送信失敗")
    CANCELLED = "cancelled", _("取消し")


#: States in which nothing will happen to a message any more unless staff act.
FINAL_STATUSES = frozenset({MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.CANCELLED})


class OutboundMessageQuerySet(TenantQuerySet):
    def due(self, now: Any) -> OutboundMessageQuerySet:
        """Queued messages whose next attempt is due."""
        return self.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=now)


class OutboundMessage(TenantModel):
    """送信メッセージ: one notification to one recipient over one channel.

    Tenancy. Most messages belong to the municipality whose service sent them. The
    e-mails of the accounts themselves (address verification, password reset, sign-in
    codes, second factors) belong to the deployment, not to any municipality, because an
    account is shared by every municipality of the deployment; their `municipality` is
    NULL. The default manager is django-scopes' scoped manager like that of every tenant
    model, so a query without an active scope fails, and a query inside the scope of a
    municipality (every staff request) returns that municipality's rows only — never the
    deployment's, since NULL never equals the scope. Staff queries therefore go through
    `services.staff_messages(municipality)`, which filters on the municipality
    explicitly as well; only the operator of the deployment (who works outside any
    scope) sees the deployment's account e-mails. The worker, which serves every
    municipality, reads single rows by primary key through `unscoped`.

    Secrets. `context` is plain JSON and never holds a secret. Values such as the link
    of a password reset or a sign-in code are passed to `notify()` as `secrets`: the
    stored bodies hold a placeholder in their place, the values themselves are kept
    encrypted in `sealed_secrets` until the message is sent (or cancelled, or for
    `NOTIFICATION_SECRET_TTL` after it failed), and only the worker puts them into what
    it hands to the channel. What staff read therefore never contains a working link.
    """

    uuid = models.UUIDField(_("識別子"), default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(  # type: ignore[assignment]
        Municipality,
        verbose_name=_("地方公共団体"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("空欄は、団体に属さないアカウントのメール（本人確認・パスワード再設定など）"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("宛先の利用者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.CharField(_("宛先"), max_length=254)
    language = models.CharField(_("言語"), max_length=8, choices=settings.LANGUAGES)
    template_key = models.CharField(_("テンプレート"), max_length=100, db_index=True)
    context = models.JSONField(_("差し込み内容"), default=dict, blank=True)
    subject = models.CharField(_("件名"), max_length=255)
    body_text = models.TextField(_("本文（テキスト）"))
    body_html = models.TextField(_("本文（HTML）"), blank=True)
    channel = models.CharField(_("送信手段"), max_length=30, default="email")
    status = models.CharField(
        _("状態"), max_length=20, choices=MessageStatus.choices, default=MessageStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("送信試行回数"), default=0)
    last_error = models.TextField(_("直近のエラー"), blank=True)
    next_attempt_at = models.DateTimeField(_("次回送信予定"), null=True, blank=True)
    sending_started_at = models.DateTimeField(_("送信開始日時"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)
    provider_reference = models.CharField(
        _("送信先システムでの識別子"), max_length=255, blank=True, help_text=_("電子メールでは Message-ID")
    )
    idempotency_key = models.CharField(
        _("重複防止キー"),
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text=_("同じキーの依頼は一度しか送信しません"),
    )
    sealed_secrets = models.TextField(_("暗号化した秘密情報"), blank=True, editable=False)
    resent_from = models.ForeignKey(
        "self",
        verbose_name=_("再送元"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects: ClassVar[Any] = ScopedManager(
        municipality="municipality", _manager_class=models.Manager.from_queryset(OutboundMessageQuerySet)
    )
    unscoped: ClassVar[models.Manager[Any]] = models.Manager.from_queryset(OutboundMessageQuerySet)()

    class Meta:
        verbose_name = _("送信メッセージ")
        verbose_name_plural = _("送信メッセージ")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_status_next_attempt"),
            models.Index(fields=["municipality", "-created_at"], name="notif_municipality_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="notif_sent_has_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.address}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def masked_address(self) -> str:
        """The address as lists show it: enough to tell messages apart, not to copy."""
        local, at, domain = self.address.partition("@")
        if not at:
            return self.address[:2] + "…" if len(self.address) > 2 else "…"
        return f"{local[:2]}…@{domain}"

    @property
    def channel_label(self) -> str:
        from . import channels

        try:
            return str(channels.get(self.channel).label)
        except ImproperlyConfigured:  # a channel whose module was removed since
            return self.channel

    @property
    def has_secrets(self) -> bool:
        """Whether the message was created with secrets (links, codes) that are masked
        in what staff see."""
        from .rendering import has_placeholders

        return has_placeholders(self.subject) or has_placeholders(self.body_text) or has_placeholders(self.body_html)
