"""The website's frame: the deployment root, each municipality's home page, sections
(カテゴリ) and ordinary pages (一般ページ)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .base import RICH_TEXT_FEATURES, LocalizedPage, PortalPage

#: The page types an editor may put below the home page and below a section.
CONTENT_PAGE_TYPES = [
    "portal.SectionPage",
    "portal.ContentPage",
    "portal.NewsIndexPage",
    "portal.EventIndexPage",
    "portal.TourismSpotPage",
    "portal.SpecialtyPage",
    "portal.BusinessSitePage",
    "portal.ShopPage",
    "portal.HolidayDoctorRotaPage",
    "portal.ServiceGuidePage",
    "portal.DisasterHubPage",
    "portal.ProcedureLinkPage",
    "portal.OpenDataCatalogPage",
    "portal.DatasetListPage",
]


class DeploymentRootPage(Page):
    """配信のルート: parent of every municipality's home page."""

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["portal.MunicipalityHomePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("配信のルート")

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect("/en/" if self.locale.language_code == "en" else "/")


class QuickLinkValue(blocks.StructValue):
    """A quick link resolved for the page's language."""

    def target_page(self) -> Page | None:
        page = self.get("page")
        return page.localized if page is not None else None

    def href(self) -> str:
        page = self.target_page()
        if page is not None:
            return page.url or ""
        return self.get("url") or ""

    def label(self) -> str:
        page = self.target_page()
        return self.get("title") or (page.title if page is not None else "") or self.get("url") or ""


class QuickLinkBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(required=False, label=_("サイト内のページ"))
    url = blocks.URLBlock(required=False, label=_("サイト外のURL"))
    title = blocks.CharBlock(
        required=False, max_length=80, label=_("表示名"), help_text=_("空欄ならページのタイトルを表示します。")
    )
    description = blocks.CharBlock(required=False, max_length=120, label=_("説明"))

    class Meta:
        icon = "link"
        label = _("リンク")
        value_class = QuickLinkValue

    def clean(self, value: QuickLinkValue) -> QuickLinkValue:
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "page": ValidationError(_("サイト内のページかサイト外のURLのどちらかを指定してください。"))
                }
            )
        if value.get("url") and not value.get("page") and not value.get("title"):
            raise blocks.StructBlockValidationError(
                block_errors={"title": ValidationError(_("サイト外のURLには表示名を入れてください。"))}
            )
        return value


class MunicipalityHomePage(LocalizedPage):
    """団体のトップページ: the home page of one municipality's website.

    Sections show only when they have content: the lead, the frequently used procedures
    (quick links), the body, the menu pages below the home page, and the contact box
    (from the municipality's own record)."""

    municipality = models.ForeignKey(
        "core.Municipality", verbose_name=_("地方公共団体"), on_delete=models.PROTECT, related_name="+"
    )
    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    quick_links = StreamField(
        [("link", QuickLinkBlock())],
        blank=True,
        verbose_name=_("よく使う手続"),
        help_text=_("トップページで目立たせる手続やページ（6件程度まで）"),
    )
    body = RichTextField(_("本文"), blank=True, features=RICH_TEXT_FEATURES)

    parent_page_types = ["portal.DeploymentRootPage"]
    subpage_types = CONTENT_PAGE_TYPES
    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("quick_links"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    class Meta:
        verbose_name = _("団体のトップページ")

    def clean(self) -> None:
        super().clean()
        if self.municipality_id and self.slug != self.municipality.slug:
            raise ValidationError({"slug": _("トップページのスラッグは団体のURL名と同じにしてください。")})

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from ..services.home import home_highlights

        context = super().get_context(request, *args, **kwargs)
        context["menu_pages"] = self.child_links(request, menus_only=True)
        context["highlights"] = home_highlights(self)
        return context


class SectionPage(PortalPage):
    """カテゴリ: a section of the website (くらし・手続, 観光, 子育て …) that lists its pages."""

    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    body = RichTextField(_("本文"), blank=True, features=RICH_TEXT_FEATURES)

    parent_page_types = ["portal.MunicipalityHomePage", "portal.SectionPage"]
    subpage_types = CONTENT_PAGE_TYPES
    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body"), *PortalPage.portal_panels]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    class Meta:
        verbose_name = _("カテゴリ")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from ..services.sections import child_cards

        context = super().get_context(request, *args, **kwargs)
        context["child_pages"] = child_cards(self, request)
        return context


class ContentPage(PortalPage):
    """一般ページ（記事）: an ordinary page of the website (guidance, a service, a place)."""

    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    body = RichTextField(_("本文"), blank=True, features=RICH_TEXT_FEATURES)

    # The disaster hub lists its own guidance pages below it (DisasterHubPage.subpage_types).
    parent_page_types = [
        "portal.MunicipalityHomePage",
        "portal.SectionPage",
        "portal.ContentPage",
        "portal.DisasterHubPage",
    ]
    subpage_types = ["portal.ContentPage"]
    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body"), *PortalPage.portal_panels]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    class Meta:
        verbose_name = _("一般ページ")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from ..services.sections import child_cards

        context = super().get_context(request, *args, **kwargs)
        context["child_pages"] = child_cards(self, request)
        return context
