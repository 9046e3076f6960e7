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

from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from madoguchi.core.context_processors import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LanguageLink,
    absolute,
    other_language,
    public_path,
)
from madoguchi.core.context_processors import Alternate as AlternateLink
from madoguchi.portal.forms import PortalPageForm
from madoguchi.portal.validation import ReservedSlugMixin

if TYPE_CHECKING:
    from .pages import MunicipalityHomePage

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "link", "document-link", "image", "ol", "ul", "hr"]


class LocalizedPage(Page):
    """Base of the website's pages: language, alternates and breadcrumbs from the tree."""

    class Meta:
        abstract = True

    def municipality_home(self) -> MunicipalityHomePage | None:
        from .pages import MunicipalityHomePage

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


class PortalPage(ReservedSlugMixin, LocalizedPage):
    """Base of the website's content pages: the owning department (担当部署, who answers
    the page's feedback and approves its changes), やさしい日本語 (ruby shown over kanji),
    related pages and the image shown in lists and when the page is shared (OGP)."""

    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("担当部署"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("ページの内容に責任を持ち、「このページは役に立ちましたか」の回答を受け取る部署"),
    )
    reading = models.CharField(
        _("タイトルのよみがな"),
        max_length=250,
        blank=True,
        help_text=_("ひらがなで。空欄なら自動で付けます。かなで検索したときに見つかるように。"),
    )
    plain_japanese = models.BooleanField(
        _("やさしい日本語"),
        default=False,
        help_text=_("やさしい日本語で書いたページには、漢字にふりがな（ルビ）を付けて表示します。"),
    )
    related_pages = StreamField(
        [("page", blocks.PageChooserBlock(label=_("ページ")))],
        blank=True,
        verbose_name=_("関連ページ"),
        help_text=_("空欄なら同じカテゴリのページを表示します。"),
    )
    listing_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("一覧・SNS用画像"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("一覧やSNSで共有されたときに表示する画像"),
    )

    base_form_class = PortalPageForm

    class Meta:
        abstract = True

    portal_panels: ClassVar[list[Any]] = [
        FieldPanel("reading"),
        FieldPanel("department"),
        FieldPanel("plain_japanese"),
        FieldPanel("related_pages"),
    ]
    promote_panels = [*Page.promote_panels, FieldPanel("listing_image")]


class PlaceFields(models.Model):
    """Where a place is: address, map position (世界測地系 JGD2011 / WGS 84 decimal
    degrees), phone and website; shared by tourism spots, shops, business sites and event
    venues."""

    postal_code = models.CharField(
        _("郵便番号"), max_length=8, blank=True, validators=[RegexValidator(r"^\d{3}-?\d{4}$")]
    )
    address = models.CharField(_("所在地"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("緯度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("経度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    website = models.URLField(_("ウェブサイト"), blank=True)

    class Meta:
        abstract = True

    place_panels: ClassVar[list[Any]] = [
        MultiFieldPanel(
            [
                FieldPanel("postal_code"),
                FieldPanel("address"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                FieldPanel("phone"),
                FieldPanel("website"),
            ],
            heading=_("所在地・連絡先"),
        )
    ]

    def clean(self) -> None:
        super().clean()  # type: ignore[misc]
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": _("緯度と経度は両方入力してください。")})
