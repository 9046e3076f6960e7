"""What readers leave and what site search reads: page feedback and the search index."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import TenantModel


class PageFeedback(TenantModel):  # type: ignore[django-manager-missing]
    """「このページは役に立ちましたか」: one answer, sent to the page's department. No
    name or address is asked; the form says not to write personal details."""

    page = models.ForeignKey("wagtailcore.Page", verbose_name=_("ページ"), on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("担当部署"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    helpful = models.BooleanField(_("役に立った"))
    findable = models.BooleanField(_("見つけやすかった"), null=True, blank=True)
    comment = models.TextField(_("ご意見"), max_length=500, blank=True)
    language = models.CharField(_("言語"), max_length=10)
    created_at = models.DateTimeField(_("送信日時"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ページへの評価")
        verbose_name_plural = _("ページへの評価")
        ordering = ["-created_at"]


class SearchEntry(TenantModel):  # type: ignore[django-manager-missing]
    """サイト内検索の索引: a live page's text folded for Japanese search (width, katakana
    → hiragana, 異体字 → common form) with the reading of its title, so 「かさまいなり」
    finds 「笠間稲荷神社」. Written when a page is published, removed when it is not live."""

    page = models.OneToOneField("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(_("言語"), max_length=10, db_index=True)
    title = models.CharField(_("タイトル"), max_length=255)
    url = models.CharField(_("URL"), max_length=500)
    summary = models.CharField(_("概要"), max_length=300, blank=True)
    page_type = models.CharField(_("ページの種類"), max_length=100, blank=True)
    folded_title = models.CharField(max_length=600)
    folded_reading = models.CharField(max_length=600, blank=True)
    folded_body = models.TextField(blank=True)
    published_at = models.DateTimeField(_("公開日時"), null=True)

    class Meta:
        verbose_name = _("検索の索引")
        verbose_name_plural = _("検索の索引")
