"""The catalog (手続一覧): what residents can apply for, per municipality, and how."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import TenantModel, in_language


class IdentityLevel(models.TextChoices):
    """本人確認の水準: what the applicant must have done before applying, weakest first."""

    NONE = "none", _("不要（どなたでも）")
    ACCOUNT = "account", _("利用者登録（サインイン）")
    VERIFIED = "verified", _("本人確認済みのサインイン")
    SIGNATURE = "signature", _("電子署名（公的個人認証）")


IDENTITY_ORDER = [IdentityLevel.NONE, IdentityLevel.ACCOUNT, IdentityLevel.VERIFIED, IdentityLevel.SIGNATURE]


class Availability(models.TextChoices):
    ONLINE = "online", _("オンライン申請できる")
    PAPER_ONLY = "paper_only", _("書面のみ（申請書をダウンロード）")


class FeeTiming(models.TextChoices):
    """手数料の請求時期."""

    NONE = "none", _("手数料なし")
    ON_SUBMISSION = "on_submission", _("申請時に納付")
    ON_APPROVAL = "on_approval", _("承認後に納付")


class RetentionAction(models.TextChoices):
    DELETE = "delete", _("削除")
    ANONYMISE = "anonymise", _("匿名化")


class ProcedureCategory(TenantModel):  # type: ignore[django-manager-missing]
    """手続の分類: 戸籍・住民票, 税, 子育て … for browsing the catalog."""

    slug = models.SlugField(_("識別名"), max_length=50)
    name_ja = models.CharField(_("分類名"), max_length=80)
    name_en = models.CharField(_("分類名（英語）"), max_length=120, blank=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("手続の分類")
        verbose_name_plural = _("手続の分類")
        ordering = ["sort_order", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="procedure_category_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_ja, self.name_en)


class Procedure(TenantModel):  # type: ignore[django-manager-missing]
    """手続: one kind of application or notification (申請・届出) a municipality accepts,
    e.g. "住民票の写し交付請求". Its form lives in `FormVersion` rows; the newest published
    one is what residents fill in."""

    slug = models.SlugField(_("識別名"), max_length=80)
    code = models.CharField(_("手続番号"), max_length=20, blank=True)
    name_ja = models.CharField(_("手続名"), max_length=200)
    name_en = models.CharField(_("手続名（英語）"), max_length=250, blank=True)
    reading = models.CharField(
        _("よみがな"), max_length=300, blank=True, help_text=_("ひらがなで。かなで検索したときに見つかるように。")
    )
    keywords = models.CharField(
        _("検索語"), max_length=500, blank=True, help_text=_("別名や略称（空白区切り）。例: 住民票 写し")
    )
    summary_ja = models.TextField(_("概要"), blank=True)
    summary_en = models.TextField(_("概要（英語）"), blank=True)
    department = models.ForeignKey(
        "core.Department", verbose_name=_("担当部署"), on_delete=models.PROTECT, related_name="procedures"
    )
    category = models.ForeignKey(
        ProcedureCategory,
        verbose_name=_("分類"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="procedures",
    )
    eligibility_ja = models.TextField(_("申請できる方"), blank=True)
    eligibility_en = models.TextField(_("申請できる方（英語）"), blank=True)
    attachments_ja = models.TextField(_("添付書類"), blank=True)
    attachments_en = models.TextField(_("添付書類（英語）"), blank=True)
    fee_note_ja = models.CharField(_("手数料の説明"), max_length=300, blank=True)
    fee_note_en = models.CharField(_("手数料の説明（英語）"), max_length=300, blank=True)
    fee_timing = models.CharField(
        _("手数料の請求時期"), max_length=20, choices=FeeTiming.choices, default=FeeTiming.NONE
    )
    processing_days = models.PositiveSmallIntegerField(
        _("標準処理期間（開庁日）"), null=True, blank=True, help_text=_("受付から完了までの開庁日数の目安")
    )
    identity_level = models.CharField(
        _("本人確認"), max_length=20, choices=IdentityLevel.choices, default=IdentityLevel.ACCOUNT
    )
    availability = models.CharField(
        _("申請方法"), max_length=20, choices=Availability.choices, default=Availability.ONLINE
    )
    paper_form = models.FileField(_("申請書（PDF）"), upload_to="procedures/paper-forms/", blank=True)
    retention_days = models.PositiveIntegerField(
        _("保存期間（日）"), default=5 * 365, help_text=_("完了・取下げ・却下からこの日数が過ぎた申請を処理します")
    )
    retention_action = models.CharField(
        _("保存期間経過後"), max_length=20, choices=RetentionAction.choices, default=RetentionAction.DELETE
    )
    is_published = models.BooleanField(_("公開"), default=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("手続")
        verbose_name_plural = _("手続")
        ordering = ["sort_order", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="procedure_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_ja, self.name_en)

    @property
    def summary(self) -> str:
        return in_language(self.summary_ja, self.summary_en)

    @property
    def eligibility(self) -> str:
        return in_language(self.eligibility_ja, self.eligibility_en)

    @property
    def attachments(self) -> str:
        return in_language(self.attachments_ja, self.attachments_en)

    @property
    def fee_note(self) -> str:
        return in_language(self.fee_note_ja, self.fee_note_en)

    @property
    def is_online(self) -> bool:
        return self.availability == Availability.ONLINE

    @property
    def requires_signature(self) -> bool:
        return self.identity_level == IdentityLevel.SIGNATURE

    def current_version(self) -> Any:
        """The newest published form version, or None."""
        return self.form_versions.filter(published_at__isnull=False).order_by("-number").first()
