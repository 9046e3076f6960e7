"""Tokens for the integrations of a municipality (tax, accounting, GIS systems …)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import TenantModel

TOKEN_PREFIX = "mdg_"  # noqa: S105 - the visible prefix of every token, not a secret


def hash_token(raw: str) -> str:
    """What is stored and looked up: the token has 256 random bits, so a plain SHA-256
    (no salt, no slow hash) cannot be reversed and still allows an indexed lookup."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(TenantModel):
    """APIトークン: acts as a staff (service) account of the municipality, with its roles.

    Only a hash is stored; the token itself is shown once, when it is issued.
    """

    name = models.CharField(_("名称"), max_length=100, help_text=_("例：税務システム連携"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("利用するアカウント"),
        on_delete=models.CASCADE,
        related_name="integration_tokens",
    )
    key_prefix = models.CharField(_("先頭文字"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("発行日時"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有効期限"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最終利用日時"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("APIトークン")
        verbose_name_plural = _("APIトークン")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def status_label(self) -> str:
        if self.revoked_at is not None:
            return str(_("失効"))
        if self.is_expired:
            return str(_("期限切れ"))
        return str(_("有効"))

    @classmethod
    def generate(cls) -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)
