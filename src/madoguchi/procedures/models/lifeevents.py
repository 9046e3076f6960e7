"""One-stop life events (ライフイベント): 引越し, 出生, 婚姻, 死亡, 子育て, 介護."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import TenantModel

from .catalog import in_language


class LifeEvent(TenantModel):  # type: ignore[django-manager-missing]
    """ライフイベント: a few questions (`questions`, form fields in the format of
    `procedures.formdef`) decide which procedures apply; the shared answers
    (`shared_fields`) are entered once and fill every form whose fields name the same
    `shared` key."""

    slug = models.SlugField(_("識別名"), max_length=50)
    name_ja = models.CharField(_("名称"), max_length=80)
    name_en = models.CharField(_("名称（英語）"), max_length=120, blank=True)
    summary_ja = models.TextField(_("説明"), blank=True)
    summary_en = models.TextField(_("説明（英語）"), blank=True)
    questions = models.JSONField(_("質問"), default=list, blank=True)
    shared_fields = models.JSONField(_("共通の入力項目"), default=list, blank=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)
    is_published = models.BooleanField(_("公開"), default=True)

    class Meta:
        verbose_name = _("ライフイベント")
        verbose_name_plural = _("ライフイベント")
        ordering = ["sort_order", "slug"]
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="life_event_slug_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_ja, self.name_en)

    @property
    def summary(self) -> str:
        return in_language(self.summary_ja, self.summary_en)


class LifeEventProcedure(TenantModel):  # type: ignore[django-manager-missing]
    """A procedure of a life event, with the condition on the answers under which it
    applies (empty: always)."""

    life_event = models.ForeignKey(
        LifeEvent, verbose_name=_("ライフイベント"), on_delete=models.CASCADE, related_name="entries"
    )
    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("手続"), on_delete=models.CASCADE, related_name="life_event_entries"
    )
    condition = models.JSONField(_("該当する条件"), null=True, blank=True)
    note_ja = models.CharField(_("説明"), max_length=300, blank=True)
    note_en = models.CharField(_("説明（英語）"), max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("ライフイベントの手続")
        verbose_name_plural = _("ライフイベントの手続")
        ordering = ["life_event", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["life_event", "procedure"], name="life_event_procedure_unique"),
        ]

    @property
    def note(self) -> str:
        return in_language(self.note_ja, self.note_en)


class LifeEventCase(TenantModel):  # type: ignore[django-manager-missing]
    """One person's pass through a life event: the answers to its questions, the shared
    answers, and (through `Submission.life_event_case`) the submissions it started."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    life_event = models.ForeignKey(
        LifeEvent, verbose_name=_("ライフイベント"), on_delete=models.PROTECT, related_name="cases"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("利用者"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="life_event_cases",
    )
    answers = models.JSONField(_("質問への回答"), default=dict, blank=True)
    shared_data = models.JSONField(_("共通の入力"), default=dict, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("ライフイベントの手続案内")
        verbose_name_plural = _("ライフイベントの手続案内")
        ordering = ["-created_at"]
