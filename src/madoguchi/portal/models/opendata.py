"""Open data (自治体標準オープンデータセット): imported records, import runs, download
counts, and the catalogue and dataset list pages.

What each dataset is (its columns, how its rows are checked, which rows come from pages or
other modules) lives in `portal.opendata`; these models store only what that needs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from madoguchi.core.models import TenantModel

from .base import RICH_TEXT_FEATURES, PortalPage


class OpenDataRecord(TenantModel):  # type: ignore[django-manager-missing]
    """One row of a dataset kept by the city itself (AED設置箇所, 医療機関 …), as imported:
    `data` maps the standard's column names to the row's text values."""

    dataset = models.CharField(_("データセット"), max_length=40)
    record_id = models.CharField(_("NO"), max_length=60)
    data = models.JSONField(_("内容"), default=dict)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    source = models.ForeignKey(
        "portal.OpenDataImport",
        verbose_name=_("取込"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="records",
    )

    class Meta:
        verbose_name = _("オープンデータの行")
        verbose_name_plural = _("オープンデータの行")
        ordering = ["dataset", "record_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "dataset", "record_id"], name="opendata_record_unique_per_dataset"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dataset} {self.record_id}"


class OpenDataImportStatus(models.TextChoices):
    IMPORTED = "imported", _("取込済み")
    REJECTED = "rejected", _("エラーのため取込なし")


class OpenDataImport(TenantModel):  # type: ignore[django-manager-missing]
    """取込: one upload of a file in the standard layout. A file with any broken row is
    refused whole (`rejected`, with every error and its line); otherwise every row is
    written in one transaction."""

    dataset = models.CharField(_("データセット"), max_length=40)
    file_name = models.CharField(_("ファイル名"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("取込者"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("取込日時"), auto_now_add=True)
    status = models.CharField(_("結果"), max_length=20, choices=OpenDataImportStatus.choices)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    created_count = models.PositiveIntegerField(_("追加"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    replace_all = models.BooleanField(_("ファイルにない行を削除"), default=False)
    deleted_count = models.PositiveIntegerField(_("削除"), default=0)
    errors = models.JSONField(_("エラー"), default=list, blank=True)

    class Meta:
        verbose_name = _("オープンデータの取込")
        verbose_name_plural = _("オープンデータの取込")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.dataset} {self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


class DatasetDownload(TenantModel):  # type: ignore[django-manager-missing]
    """ダウンロード数: downloads of one dataset in one format on one day."""

    dataset = models.CharField(_("データセット"), max_length=40)
    format = models.CharField(_("形式"), max_length=10)
    date = models.DateField(_("日付"))
    count = models.PositiveIntegerField(_("回数"), default=0)

    class Meta:
        verbose_name = _("ダウンロード数")
        verbose_name_plural = _("ダウンロード数")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "dataset", "format", "date"], name="dataset_download_unique_per_day"
            )
        ]


class OpenDataCatalogPage(PortalPage):
    """オープンデータ: the data catalogue — every dataset with its description, licence
    (CC BY 4.0), update date, download counts and the CSV and JSON downloads."""

    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    body = RichTextField(_("本文"), blank=True, features=RICH_TEXT_FEATURES)

    parent_page_types = ["portal.MunicipalityHomePage", "portal.SectionPage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1
    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body"), *PortalPage.portal_panels]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    class Meta:
        verbose_name = _("オープンデータカタログ")


class DatasetListPage(PortalPage):
    """一覧ページ: the rows of one dataset shown to residents (AEDの設置場所, 医療機関,
    子育て施設, 避難場所), searchable, with map links."""

    dataset = models.CharField(_("データセット"), max_length=40)
    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    body = RichTextField(_("本文"), blank=True, features=RICH_TEXT_FEATURES)

    parent_page_types = ["portal.MunicipalityHomePage", "portal.SectionPage"]
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        FieldPanel("dataset"),
        FieldPanel("lead"),
        FieldPanel("body"),
        *PortalPage.portal_panels,
    ]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    class Meta:
        verbose_name = _("データ一覧ページ")
