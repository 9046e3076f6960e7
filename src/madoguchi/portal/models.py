"""The municipality's website: Wagtail pages.

The tree is: Wagtail's root → `DeploymentRootPage` (the deployment, never shown itself;
`/` is the municipality list) → one `MunicipalityHomePage` per municipality, whose slug is
the municipality's URL slug, so that `/<slug>/` is its home page → `ContentPage`s, the
website's ordinary pages. Each language is a translation of that tree (Wagtail i18n):
`/en/<slug>/` is the English home page.

Every page knows its translations: `<html lang>` is the page's locale, the
`<link rel="alternate" hreflang>` entries list the translations that exist and are live,
and the language switch leads to the translation — or, when there is none, to the home
page in the other language (said so on the link). Breadcrumbs come from the ancestors
below the municipality's home page.
"""

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

from madoguchi.core.context_processors import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LanguageLink,
    absolute,
    other_language,
    public_path,
)
from madoguchi.core.context_processors import Alternate as AlternateLink

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "link", "document-link", "ol", "ul", "hr"]


class LocalizedPage(Page):
    """Base of the website's pages: language, alternates and breadcrumbs from the tree."""

    class Meta:
        abstract = True

    def municipality_home(self) -> MunicipalityHomePage | None:
        if isinstance(self.specific, MunicipalityHomePage):
            return self.specific  # type: ignore[return-value]
        home = Page.objects.ancestor_of(self).type(MunicipalityHomePage).order_by("-depth").first()
        return home.specific if home is not None else None  # type: ignore[return-value]

    def language_context(self, request: HttpRequest) -> dict[str, Any]:
        """`page_language`, `alternates` and `language_switch` from the page's translations."""
        language = self.locale.language_code
        translations = {
            page.locale.language_code: page
            for page in self.get_translations(inclusive=True).live().select_related("locale")
        }
        paths: dict[str, str] = {}
        for code in LANGUAGE_NAMES:
            page = translations.get(code)
            url = page.get_url(request) if page is not None else None
            if url:
                paths[code] = public_path(request, url)
        alternates = [AlternateLink(code, absolute(request, path)) for code, path in paths.items()]
        if DEFAULT_LANGUAGE in paths and len(paths) > 1:
            alternates.append(AlternateLink("x-default", absolute(request, paths[DEFAULT_LANGUAGE])))
        if len(paths) < 2:
            # A page in one language has no alternates to advertise.
            alternates = []
        other = other_language(language)
        switch = None
        if other in paths:
            switch = LanguageLink(other, LANGUAGE_NAMES[other], paths[other], same_page=True)
        else:
            home = self.municipality_home()
            home_in_other = home.get_translations().live().filter(locale__language_code=other).first() if home else None
            url = home_in_other.get_url(request) if home_in_other is not None else None
            if url:
                switch = LanguageLink(other, LANGUAGE_NAMES[other], public_path(request, url), same_page=False)
        return {"page_language": language, "alternates": alternates, "language_switch": switch}

    def breadcrumb_trail(self, request: HttpRequest) -> list[tuple[str, str | None]] | None:
        """(title, URL) of the ancestors below the municipality's home page, then this page."""
        home = self.municipality_home()
        if home is None or home.pk == self.pk:
            return None
        ancestors = Page.objects.ancestor_of(self).filter(depth__gt=home.depth).order_by("depth")
        trail: list[tuple[str, str | None]] = []
        for ancestor in ancestors:
            url = ancestor.get_url(request)
            trail.append((ancestor.title, public_path(request, url) if url else None))
        trail.append((self.title, None))
        return trail

    def child_links(self, request: HttpRequest, *, menus_only: bool) -> list[tuple[str, str, str]]:
        """(title, URL, search description) of the live child pages (those shown in menus)."""
        children = self.get_children().live().public()
        if menus_only:
            children = children.in_menu()
        found = []
        for child in children:
            url = child.get_url(request)
            if url:
                found.append((child.title, public_path(request, url), child.search_description))
        return found

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context.update(self.language_context(request))
        context["breadcrumbs"] = self.breadcrumb_trail(request)
        return context


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
    subpage_types = ["portal.ContentPage"]
    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("quick_links"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    class Meta:
        verbose_name = _("団体のトップページ")

    def clean(self) -> None:
        super().clean()
        if self.municipality_id and self.slug != self.municipality.slug:
            raise ValidationError({"slug": _("トップページのスラッグは団体のURL名と同じにしてください。")})

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["menu_pages"] = self.child_links(request, menus_only=True)
        return context


class ContentPage(LocalizedPage):
    """一般ページ: an ordinary page of the website (guidance, a service, a place)."""

    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    body = RichTextField(_("本文"), blank=True, features=RICH_TEXT_FEATURES)

    parent_page_types = ["portal.MunicipalityHomePage", "portal.ContentPage"]
    subpage_types = ["portal.ContentPage"]
    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    class Meta:
        verbose_name = _("一般ページ")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["menu_pages"] = self.child_links(request, menus_only=False)
        return context
