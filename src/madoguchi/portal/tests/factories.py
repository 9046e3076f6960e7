"""Pages of the municipality's website for tests: each `make_*` function adds a page of one
type below `parent`, publishes it and — when `english` is given — adds its published English
translation.

`english` is either the English title (the other fields are copied from the Japanese page,
as wagtail-localize does before a translator changes them) or a dict of fields for the
translation, with at least "title". Fields a page type needs and a test does not care
about have believable Kasama defaults; any keyword overrides them.

    home = home_page(kasama)                      # the municipality's published home page
    living = make_section(home, "くらし・手続", "living", english="Living", show_in_menus=True)
    spot = make_tourism_spot(living, "笠間稲荷神社", "inari", english={"title": "Kasama Inari Shrine"})
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

from django.utils import timezone
from wagtail.models import Locale, Page

from madoguchi.core.models import Municipality
from madoguchi.portal.models import (
    BusinessSitePage,
    BusinessSiteStatus,
    ContentPage,
    DatasetListPage,
    DisasterHubPage,
    EventCategory,
    EventIndexPage,
    EventPage,
    HolidayDoctorRotaPage,
    MunicipalityHomePage,
    NewsCategory,
    NewsIndexPage,
    NewsPage,
    OpenDataCatalogPage,
    ProcedureLinkPage,
    SectionPage,
    ServiceField,
    ServiceGuidePage,
    ShopCategory,
    ShopKind,
    ShopPage,
    SpecialtyKind,
    SpecialtyPage,
    TourismCategory,
    TourismSpotPage,
    Zoning,
)

P = TypeVar("P", bound=Page)

English = str | dict[str, Any] | None


def publish(page: P) -> P:
    """Publish the page's current state as a revision and return it fresh from the database."""
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def home_page(municipality: Municipality, language: str = "ja") -> MunicipalityHomePage:
    """The municipality's home page in `language` (created with the municipality)."""
    home = MunicipalityHomePage.objects.filter(municipality=municipality, locale__language_code=language).first()
    assert home is not None, f"{municipality} has no home page in {language}"
    return home


def translate(page: P, english: str | dict[str, Any], language: str = "en") -> P:
    """Add and publish the page's translation: every field copied, then `english` applied.

    Ancestors that have no translation yet are copied too and published, so that the
    translation has a URL (a test that wants an unpublished parent unpublishes it itself)."""
    locale = Locale.objects.get(language_code=language)
    fields = {"title": english} if isinstance(english, str) else dict(english)
    untranslated_ancestors = [
        ancestor.pk
        for ancestor in page.get_ancestors().filter(depth__gt=1)
        if not ancestor.has_translation(locale)  # type: ignore[attr-defined]
    ]
    translated = page.copy_for_translation(locale, copy_parents=True)
    for name, value in fields.items():
        setattr(translated, name, value)
    translated = publish(translated)
    for ancestor_pk in untranslated_ancestors:
        created = Page.objects.get(pk=ancestor_pk).get_translation(locale)
        if not created.live:
            publish(created.specific)
    return translated  # type: ignore[no-any-return]


def make_page(parent: Page, page_class: type[P], title: str, slug: str, english: English = None, **fields: Any) -> P:
    """Add a `page_class` page below `parent` in the parent's language, publish it, and
    translate it into English when `english` is given."""
    page = page_class(title=title, slug=slug, locale=parent.locale, **fields)
    parent.add_child(instance=page)
    page = publish(page)
    if english is not None:
        translate(page, english)
    return page


def english_of(page: P, language: str = "en") -> P:
    """The page's translation (specific), for assertions on the English page."""
    return page.get_translation(Locale.objects.get(language_code=language)).specific  # type: ignore[no-any-return]


# --- the frame --------------------------------------------------------------------------------


def make_section(parent: Page, title: str, slug: str, english: English = None, **fields: Any) -> SectionPage:
    """カテゴリ (shown in the primary navigation with `show_in_menus=True`)."""
    return make_page(parent, SectionPage, title, slug, english, **fields)


def make_content_page(parent: Page, title: str, slug: str, english: English = None, **fields: Any) -> ContentPage:
    """一般ページ."""
    return make_page(parent, ContentPage, title, slug, english, **fields)


# --- news and events --------------------------------------------------------------------------


def make_news_index(
    parent: Page, title: str = "お知らせ", slug: str = "news", english: English = None, **fields: Any
) -> NewsIndexPage:
    return make_page(parent, NewsIndexPage, title, slug, english, **fields)


def make_news(parent: NewsIndexPage, title: str, slug: str, english: English = None, **fields: Any) -> NewsPage:
    """お知らせ: today, くらし・手続 unless given (`category=NewsCategory.IMPORTANT` for 重要)."""
    fields.setdefault("date", timezone.localdate())
    fields.setdefault("category", NewsCategory.LIVING)
    return make_page(parent, NewsPage, title, slug, english, **fields)


def make_event_index(
    parent: Page, title: str = "イベント", slug: str = "events", english: English = None, **fields: Any
) -> EventIndexPage:
    return make_page(parent, EventIndexPage, title, slug, english, **fields)


def make_event(parent: EventIndexPage, title: str, slug: str, english: English = None, **fields: Any) -> EventPage:
    """イベント: a week from today unless `start_date` is given."""
    fields.setdefault("start_date", timezone.localdate() + dt.timedelta(days=7))
    fields.setdefault("category", EventCategory.FESTIVAL)
    return make_page(parent, EventPage, title, slug, english, **fields)


# --- places -----------------------------------------------------------------------------------

KASAMA_INARI = {
    "postal_code": "309-1611",
    "address": "茨城県笠間市笠間1",
    "latitude": Decimal("36.387439"),
    "longitude": Decimal("140.263233"),
    "phone": "0296-73-0001",
}


def make_tourism_spot(parent: Page, title: str, slug: str, english: English = None, **fields: Any) -> TourismSpotPage:
    """観光スポット: a shrine at 笠間稲荷神社's address unless given."""
    fields.setdefault("category", TourismCategory.SHRINE_TEMPLE)
    for name, value in KASAMA_INARI.items():
        fields.setdefault(name, value)
    return make_page(parent, TourismSpotPage, title, slug, english, **fields)


def make_specialty(parent: Page, title: str, slug: str, english: English = None, **fields: Any) -> SpecialtyPage:
    """地場産業・特産品: a craft unless given."""
    fields.setdefault("kind", SpecialtyKind.CRAFT)
    return make_page(parent, SpecialtyPage, title, slug, english, **fields)


def make_business_site(parent: Page, title: str, slug: str, english: English = None, **fields: Any) -> BusinessSitePage:
    """企業誘致・産業用地: for sale in an exclusive industrial zone, 10 ha unless given."""
    fields.setdefault("status", BusinessSiteStatus.FOR_SALE)
    fields.setdefault("zoning", Zoning.EXCLUSIVE_INDUSTRIAL)
    fields.setdefault("total_area_m2", Decimal("100000.00"))
    return make_page(parent, BusinessSitePage, title, slug, english, **fields)


def make_shop(parent: Page, title: str, slug: str, english: English = None, **fields: Any) -> ShopPage:
    """商店・商店街: a gallery shop unless given (`kind=ShopKind.STREET` for a street)."""
    fields.setdefault("kind", ShopKind.SHOP)
    fields.setdefault("category", ShopCategory.GALLERY)
    return make_page(parent, ShopPage, title, slug, english, **fields)


# --- services ---------------------------------------------------------------------------------


def make_holiday_doctor_rota(
    parent: Page, title: str = "休日当番医", slug: str = "holiday-doctors", english: English = None, **fields: Any
) -> HolidayDoctorRotaPage:
    return make_page(parent, HolidayDoctorRotaPage, title, slug, english, **fields)


def make_service_guide(parent: Page, title: str, slug: str, english: English = None, **fields: Any) -> ServiceGuidePage:
    """サービス案内: 子育て unless `field` is given."""
    fields.setdefault("field", ServiceField.choices[0][0])
    return make_page(parent, ServiceGuidePage, title, slug, english, **fields)


def make_disaster_hub(
    parent: Page, title: str = "防災情報", slug: str = "disaster", english: English = None, **fields: Any
) -> DisasterHubPage:
    return make_page(parent, DisasterHubPage, title, slug, english, **fields)


def make_procedure_link(
    parent: Page, title: str, slug: str, english: English = None, **fields: Any
) -> ProcedureLinkPage:
    """手続への案内: `procedure=` (a procedure of the same municipality) is required."""
    assert "procedure" in fields, "make_procedure_link needs procedure="
    return make_page(parent, ProcedureLinkPage, title, slug, english, **fields)


def make_open_data_catalog(
    parent: Page, title: str = "オープンデータ", slug: str = "open-data", english: English = None, **fields: Any
) -> OpenDataCatalogPage:
    return make_page(parent, OpenDataCatalogPage, title, slug, english, **fields)


def make_dataset_list(parent: Page, title: str, slug: str, english: English = None, **fields: Any) -> DatasetListPage:
    """一覧ページ of one dataset: AED unless `dataset` (file id) is given."""
    fields.setdefault("dataset", "aed")
    return make_page(parent, DatasetListPage, title, slug, english, **fields)
