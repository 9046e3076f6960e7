"""The audit log (監査ログ): append-only and hash-chained.

Each municipality has its own chain (the deployment has one more, for entries without a
municipality). An entry's hash covers its content and the hash of the entry before it, so
that editing, removing or reordering any entry breaks every hash after it;
`manage.py verify_audit_chain` names the first entry that no longer fits.
The hash is an HMAC keyed with a secret of the deployment (`AUDIT_CHAIN_KEY`), so that
whoever can write to the database but does not hold the key cannot recompute the chain
after changing it. The database refuses UPDATE on the table and, on PostgreSQL, DELETE
(triggers, see `audit.database`); the model and its queryset refuse both as well.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class Action(models.TextChoices):
    VIEW = "view", _("閲覧")
    CREATE = "create", _("作成")
    UPDATE = "update", _("変更")
    DELETE = "delete", _("削除")
    EXPORT = "export", _("出力")
    LOGIN = "login", _("サインイン")
    LOGIN_FAILED = "login_failed", _("サインイン失敗")
    LOGOUT = "logout", _("サインアウト")
    LOCKED_OUT = "locked_out", _("ロックアウト")
    PERMISSION_DENIED = "permission_denied", _("権限なし")
    SEND = "send", _("送信")
    VERIFY = "verify", _("チェーンの検証")
    OTHER = "other", _("その他")


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    """Bulk changes would bypass `AuditEntry.save()`; refuse them here too."""

    def update(self, **kwargs: Any) -> int:
        raise RuntimeError("audit entries are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit entries are append-only")


class AuditEntry(models.Model):
    """監査ログの記録: who did what to which object, when, from where, and why."""

    chain = models.CharField(_("チェーン"), max_length=20, editable=False, help_text=_("団体コード、または deployment"))
    sequence = models.PositiveBigIntegerField(_("連番"), editable=False)
    # Plain values rather than foreign keys: deleting a user or a municipality must never
    # touch (and so break) the log.
    municipality_id = models.BigIntegerField(_("地方公共団体ID"), null=True, blank=True, db_index=True)
    municipality_code = models.CharField(_("地方公共団体コード"), max_length=6, blank=True)
    occurred_at = models.DateTimeField(_("日時"), db_index=True)
    actor_id = models.BigIntegerField(_("操作者ID"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("操作者"), max_length=254, blank=True)
    action = models.CharField(_("操作"), max_length=30, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("対象の種類"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("対象ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("対象"), max_length=200, blank=True)
    fields = models.JSONField(_("項目"), default=list, blank=True)
    personal_data = models.BooleanField(_("個人情報"), default=False, db_index=True)
    subject_id = models.BigIntegerField(
        _("本人ID"), null=True, blank=True, db_index=True, help_text=_("個人情報の本人である利用者")
    )
    reason = models.TextField(_("理由"), blank=True)
    # Text, not an inet column: PostgreSQL rewrites addresses into its own notation, and
    # the hash must cover exactly what is stored.
    ip_address = models.CharField(_("IPアドレス"), max_length=45, blank=True)
    user_agent = models.CharField(_("ユーザーエージェント"), max_length=300, blank=True)
    request_id = models.CharField(_("リクエストID"), max_length=64, blank=True)
    extra = models.JSONField(_("詳細"), default=dict, blank=True)
    previous_hash = models.CharField(_("前の記録のハッシュ"), max_length=64, editable=False)
    entry_hash = models.CharField(_("ハッシュ"), max_length=64, editable=False, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("監査ログ")
        verbose_name_plural = _("監査ログ")
        ordering = ["-occurred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["chain", "sequence"], name="audit_chain_sequence_unique")]
        indexes = [models.Index(fields=["municipality_id", "-occurred_at"], name="audit_municipality_time")]

    HASHED_FIELDS: ClassVar[tuple[str, ...]] = (
        "chain",
        "sequence",
        "municipality_id",
        "municipality_code",
        "occurred_at",
        "actor_id",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "fields",
        "personal_data",
        "subject_id",
        "reason",
        "ip_address",
        "user_agent",
        "request_id",
        "extra",
        "previous_hash",
    )

    def __str__(self) -> str:
        return f"{self.chain}#{self.sequence} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("audit entries are append-only")

    def canonical_payload(self) -> bytes:
        """The bytes the hash covers: every hashed field, in a form that reads back the
        same from SQLite and PostgreSQL."""
        values: dict[str, Any] = {}
        for name in self.HASHED_FIELDS:
            value = getattr(self, name)
            if name == "occurred_at":
                value = value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
            values[name] = value
        return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()

    def compute_hash(self, key: bytes) -> str:
        """HMAC-SHA256 of the payload under the chain key."""
        return hmac.new(key, self.canonical_payload(), hashlib.sha256).hexdigest()


class AuditChainHead(models.Model):
    """The last entry of each chain; locked while an entry is appended, so that two
    app servers never give out the same sequence number, and compared with the log when
    the chain is verified, so that cutting off the newest entries is noticed too. The
    database lets the head only move forward one entry at a time (a trigger)."""

    chain = models.CharField(max_length=20, unique=True)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("監査ログチェーンの末尾")
        verbose_name_plural = _("監査ログチェーンの末尾")

    def __str__(self) -> str:
        return f"{self.chain}#{self.last_sequence}"
