"""Submissions (申請) and everything that happens to them: the timeline, messages between
applicant and staff, internal notes, correction requests (補正) and attachments."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import TenantModel


def private_storage():  # type: ignore[no-untyped-def]
    """Attachments hold personal data: they live in the private storage, never under
    MEDIA_URL, and are served only through views that check who asks."""
    return storages["private"]


class SubmissionStatus(models.TextChoices):
    """申請の状態. received → in_review → (correction_requested ↔ in_review) →
    approved / rejected → completed; withdrawn before review."""

    DRAFT = "draft", _("下書き")
    RECEIVED = "received", _("受付")
    IN_REVIEW = "in_review", _("審査中")
    CORRECTION_REQUESTED = "correction_requested", _("補正依頼中")
    APPROVED = "approved", _("承認")
    REJECTED = "rejected", _("却下")
    COMPLETED = "completed", _("完了")
    WITHDRAWN = "withdrawn", _("取下げ")


#: States in which staff still have work to do (the inbox's default view).
OPEN_STATUSES = (
    SubmissionStatus.RECEIVED,
    SubmissionStatus.IN_REVIEW,
    SubmissionStatus.CORRECTION_REQUESTED,
    SubmissionStatus.APPROVED,
)
#: States after which nothing changes any more; retention counts from them.
FINAL_STATUSES = (SubmissionStatus.COMPLETED, SubmissionStatus.REJECTED, SubmissionStatus.WITHDRAWN)


class Submission(TenantModel):  # type: ignore[django-manager-missing]
    """申請: what an applicant filled in for one procedure, with the form version it was
    made with. A draft (下書き) is a submission not yet sent; sending gives it its number
    (受付番号)."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("受付番号"), max_length=20, blank=True)
    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("手続"), on_delete=models.PROTECT, related_name="submissions"
    )
    form_version = models.ForeignKey(
        "procedures.FormVersion", verbose_name=_("様式の版"), on_delete=models.PROTECT, related_name="submissions"
    )
    department = models.ForeignKey(
        "core.Department", verbose_name=_("担当部署"), on_delete=models.PROTECT, related_name="+"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申請者のアカウント"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="procedure_submissions",
    )
    applicant_name = models.CharField(_("申請者氏名"), max_length=200, blank=True)
    applicant_email = models.EmailField(_("連絡先メールアドレス"), blank=True)
    language = models.CharField(_("言語"), max_length=8, default="ja")
    data = models.JSONField(_("申請内容"), default=dict, blank=True)
    current_step = models.PositiveSmallIntegerField(_("入力中の段階"), default=0)
    status = models.CharField(
        _("状態"), max_length=30, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("担当者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_submissions",
    )
    life_event_case = models.ForeignKey(
        "procedures.LifeEventCase",
        verbose_name=_("ライフイベント"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    signature_required = models.BooleanField(_("電子署名が必要"), default=False)
    signed_at = models.DateTimeField(_("署名検証日時"), null=True, blank=True)
    fee_amount = models.PositiveIntegerField(_("手数料"), default=0)
    fee_paid_at = models.DateTimeField(_("手数料の納付日時"), null=True, blank=True)
    idempotency_key = models.CharField(
        _("二重送信防止キー"), max_length=64, blank=True, help_text=_("同じ送信を二度受け付けないための値")
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    submitted_at = models.DateTimeField(_("受付日時"), null=True, blank=True)
    due_on = models.DateField(_("処理期限"), null=True, blank=True)
    decided_at = models.DateTimeField(_("決定日時"), null=True, blank=True)
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True, help_text=_("完了・却下・取下げの日時"))
    anonymised_at = models.DateTimeField(_("匿名化日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("申請")
        verbose_name_plural = _("申請")
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "number"], condition=~models.Q(number=""), name="submission_number_unique"
            ),
            models.UniqueConstraint(
                fields=["municipality", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="submission_idempotency_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status", "submitted_at"], name="submission_status_idx"),
            models.Index(fields=["department", "status"], name="submission_department_idx"),
            models.Index(fields=["applicant", "status"], name="submission_applicant_idx"),
            models.Index(fields=["status", "closed_at"], name="submission_retention_idx"),
        ]

    def __str__(self) -> str:
        return self.number or str(_("下書き"))

    @property
    def is_draft(self) -> bool:
        return self.status == SubmissionStatus.DRAFT


class SubmissionCounter(TenantModel):  # type: ignore[django-manager-missing]
    """受付番号の採番: the last number given in a municipality's year."""

    year = models.PositiveSmallIntegerField(_("年"))
    last = models.PositiveIntegerField(_("最終番号"), default=0)

    class Meta:
        verbose_name = _("受付番号の採番")
        verbose_name_plural = _("受付番号の採番")
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="submission_counter_unique")]


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("申請")
    STATUS = "status", _("状態の変更")
    ASSIGNED = "assigned", _("担当者の変更")
    CORRECTION_REQUESTED = "correction_requested", _("補正依頼")
    CORRECTED = "corrected", _("補正")
    SIGNED = "signed", _("電子署名")
    INVOICE = "invoice", _("手数料の請求")
    PAID = "paid", _("手数料の納付")
    MESSAGE = "message", _("メッセージ")
    RETENTION = "retention", _("保存期間の経過")


class SubmissionEvent(TenantModel):  # type: ignore[django-manager-missing]
    """経過: one entry of a submission's timeline, shown to the applicant unless it is
    internal."""

    submission = models.ForeignKey(Submission, verbose_name=_("申請"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("種類"), max_length=30, choices=EventKind.choices)
    from_status = models.CharField(_("変更前の状態"), max_length=30, choices=SubmissionStatus.choices, blank=True)
    to_status = models.CharField(_("変更後の状態"), max_length=30, choices=SubmissionStatus.choices, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visible_to_applicant = models.BooleanField(_("申請者に表示"), default=True)
    data = models.JSONField(_("詳細"), default=dict, blank=True)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("経過")
        verbose_name_plural = _("経過")
        ordering = ["created_at", "pk"]


class SubmissionMessage(TenantModel):  # type: ignore[django-manager-missing]
    """メッセージ: between the applicant and the department, about one submission."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("申請"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("送信者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_staff = models.BooleanField(_("職員から"), default=False)
    body = models.TextField(_("本文"))
    created_at = models.DateTimeField(_("送信日時"), auto_now_add=True)
    read_at = models.DateTimeField(_("既読日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("メッセージ")
        verbose_name_plural = _("メッセージ")
        ordering = ["created_at", "pk"]


class InternalNote(TenantModel):  # type: ignore[django-manager-missing]
    """内部メモ: staff's notes on a submission; never shown to the applicant."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("申請"), on_delete=models.CASCADE, related_name="internal_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記入者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("メモ"))
    created_at = models.DateTimeField(_("記入日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("内部メモ")
        verbose_name_plural = _("内部メモ")
        ordering = ["created_at", "pk"]


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("補正待ち")
    ANSWERED = "answered", _("補正済み")
    CANCELLED = "cancelled", _("取消し")


class CorrectionRequest(TenantModel):  # type: ignore[django-manager-missing]
    """補正依頼: staff ask the applicant to correct named fields; the applicant answers in
    place, and the values before and after are kept."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("申請"), on_delete=models.CASCADE, related_name="corrections"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("依頼した職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField(_("補正の内容"))
    fields = models.JSONField(_("補正する項目"), default=list, blank=True)
    respond_by = models.DateField(_("補正期限"), null=True, blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN)
    created_at = models.DateTimeField(_("依頼日時"), auto_now_add=True)
    answered_at = models.DateTimeField(_("補正日時"), null=True, blank=True)
    answer_message = models.TextField(_("申請者からの説明"), blank=True)
    previous_values = models.JSONField(_("補正前の値"), default=dict, blank=True)
    new_values = models.JSONField(_("補正後の値"), default=dict, blank=True)

    class Meta:
        verbose_name = _("補正依頼")
        verbose_name_plural = _("補正依頼")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission"], condition=models.Q(status="open"), name="correction_one_open_per_submission"
            ),
        ]


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name never comes from the applicant: it could be anything.
    return f"procedures/{instance.municipality_id}/{uuid.uuid4().hex}"


class Attachment(TenantModel):  # type: ignore[django-manager-missing]
    """添付書類: a file attached to a submission's file field, checked by content."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("申請"), on_delete=models.CASCADE, related_name="attachment_files"
    )
    field_key = models.CharField(_("項目"), max_length=80)
    file = models.FileField(_("ファイル"), upload_to=attachment_path, storage=private_storage, max_length=200)
    original_name = models.CharField(_("元のファイル名"), max_length=255)
    content_type = models.CharField(_("ファイル形式"), max_length=100)
    size = models.PositiveIntegerField(_("サイズ（バイト）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    superseded_at = models.DateTimeField(
        _("差し替え日時"),
        null=True,
        blank=True,
        help_text=_("補正などで差し替えられた日時（旧ファイルは記録として残ります）"),
    )

    class Meta:
        verbose_name = _("添付書類")
        verbose_name_plural = _("添付書類")
        ordering = ["field_key", "created_at"]
