"""Places the city promotes: tourism spots (観光施設), local industry and crafts
(地場産業・特産品), business sites for companies (企業誘致・産業用地) and shops and
shopping streets (商店・商店街)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from .base import RICH_TEXT_FEATURES, PlaceFields, PortalPage

PLACE_PARENTS = ["portal.MunicipalityHomePage", "portal.SectionPage"]
WEEKDAYS = "月火水木金土日"


def validate_weekdays(value: str) -> None:
    """「月火水木金」 as the open data standard writes 利用可能曜日 (commas and spaces between
    the days are allowed too); 祝 for public holidays."""
    days = [d for d in value if d not in ",、 　"]
    wrong = [d for d in days if d not in WEEKDAYS and d != "祝"]
    if wrong:
        raise ValidationError(
            _("曜日は「月火水木金」のように曜日の漢字で入力してください（%(wrong)s）。"),
            params={"wrong": "、".join(wrong)},
        )


class TourismCategory(models.TextChoices):
    SHRINE_TEMPLE = "shrine_temple", _("神社・寺院")
    ART = "art", _("美術館・ギャラリー")
    NATURE = "nature", _("公園・自然")
    EXPERIENCE = "experience", _("体験")
    HOT_SPRING = "hot_spring", _("温泉・宿泊")
    HISTORY = "history", _("史跡・歴史")
    FOOD = "food", _("食・特産品")
    OTHER = "other", _("その他")


class TourismSpotPage(PlaceFields, PortalPage):  # type: ignore[django-manager-missing]
    """観光スポット: a place visitors come to (笠間稲荷神社, 笠間芸術の森公園 …) with its
    hours, fees, access and position on the map; 観光施設一覧 is written from these."""

    category = models.CharField(_("分類"), max_length=20, choices=TourismCategory.choices)
    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    body = RichTextField(_("本文"), blank=True, features=RICH_TEXT_FEATURES)
    open_weekdays = models.CharField(
        _("利用可能曜日"),
        max_length=40,
        blank=True,
        validators=[validate_weekdays],
        help_text=_("例: 火水木金土日"),
    )
    opening_time = models.TimeField(_("開始時間"), null=True, blank=True)
    closing_time = models.TimeField(_("終了時間"), null=True, blank=True)
    hours_note = models.CharField(
        _("利用可能日時特記事項"), max_length=250, blank=True, help_text=_("例: 年末年始休館")
    )
    admission = models.CharField(_("料金"), max_length=250, blank=True, help_text=_("例: 無料、大人700円"))
    access = models.TextField(_("アクセス方法"), blank=True)
    parking = models.CharField(_("駐車場情報"), max_length=250, blank=True)
    barrier_free = models.CharField(_("バリアフリー情報"), max_length=250, blank=True)

    parent_page_types = PLACE_PARENTS
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        FieldPanel("category"),
        FieldPanel("lead"),
        FieldPanel("body"),
        *PlaceFields.place_panels,
        MultiFieldPanel(
            [
                FieldPanel("open_weekdays"),
                FieldRowPanel([FieldPanel("opening_time"), FieldPanel("closing_time")]),
                FieldPanel("hours_note"),
                FieldPanel("admission"),
            ],
            heading=_("開館時間・料金"),
        ),
        FieldPanel("access"),
        FieldPanel("parking"),
        FieldPanel("barrier_free"),
        *PortalPage.portal_panels,
    ]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    class Meta:
        verbose_name = _("観光スポット")

    def clean(self) -> None:
        super().clean()
        if self.opening_time and self.closing_time and self.closing_time <= self.opening_time:
            raise ValidationError({"closing_time": _("終了時間は開始時間より後にしてください。")})


class SpecialtyKind(models.TextChoices):
    CRAFT = "craft", _("伝統工芸・工芸品")
    PRODUCE = "produce", _("農産物")
    FOOD = "food", _("加工品・食品")
    INDUSTRY = "industry", _("地場産業")


class SpecialtyPage(PortalPage):
    """地場産業・特産品: a local craft, product or industry (笠間焼, 栗 …): its season, where
    to buy it and who makes it."""

    kind = models.CharField(_("種類"), max_length=20, choices=SpecialtyKind.choices)
    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    body = RichTextField(_("本文"), blank=True, features=RICH_TEXT_FEATURES)
    season = models.CharField(_("時期・旬"), max_length=120, blank=True, help_text=_("例: 9月下旬〜10月"))
    where_to_buy = RichTextField(_("購入・体験できる場所"), blank=True, features=RICH_TEXT_FEATURES)
    producers = models.CharField(_("生産者・団体"), max_length=250, blank=True)

    parent_page_types = PLACE_PARENTS
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("lead"),
        FieldPanel("body"),
        FieldPanel("season"),
        FieldPanel("where_to_buy"),
        FieldPanel("producers"),
        *PortalPage.portal_panels,
    ]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    class Meta:
        verbose_name = _("地場産業・特産品")


class BusinessSiteStatus(models.TextChoices):
    FOR_SALE = "for_sale", _("分譲中")
    FOR_LEASE = "for_lease", _("賃貸可")
    PLANNED = "planned", _("整備予定")
    SOLD_OUT = "sold_out", _("完売")


class Zoning(models.TextChoices):
    """用途地域 (都市計画法) of an industrial site."""

    EXCLUSIVE_INDUSTRIAL = "exclusive_industrial", _("工業専用地域")
    INDUSTRIAL = "industrial", _("工業地域")
    QUASI_INDUSTRIAL = "quasi_industrial", _("準工業地域")
    URBANISATION_CONTROL = "urbanisation_control", _("市街化調整区域（地区計画）")
    UNDESIGNATED = "undesignated", _("用途地域の指定なし")


class BusinessSitePage(PlaceFields, PortalPage):  # type: ignore[django-manager-missing]
    """企業誘致・産業用地: an industrial park or site offered to companies (茨城中央工業団地
    （笠間地区） …): area, zoning, price, utilities and the department to contact."""

    status = models.CharField(_("分譲状況"), max_length=20, choices=BusinessSiteStatus.choices)
    zoning = models.CharField(_("用途地域"), max_length=30, choices=Zoning.choices)
    total_area_m2 = models.DecimalField(
        _("総面積（㎡）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    available_area_m2 = models.DecimalField(
        _("分譲可能面積（㎡）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    price_per_m2 = models.PositiveIntegerField(_("分譲価格（円／㎡）"), null=True, blank=True)
    price_note = models.CharField(
        _("価格の補足"), max_length=200, blank=True, help_text=_("例: 応相談、区画により異なる")
    )
    building_coverage = models.PositiveSmallIntegerField(_("建ぺい率（%）"), null=True, blank=True)
    floor_area_ratio = models.PositiveSmallIntegerField(_("容積率（%）"), null=True, blank=True)
    utilities = models.TextField(_("インフラ"), blank=True, help_text=_("上水道、工業用水、電力、ガス、排水"))
    access = models.TextField(_("交通アクセス"), blank=True, help_text=_("例: 北関東自動車道 友部ICから約3km"))
    incentives = models.TextField(_("優遇制度"), blank=True)
    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    body = RichTextField(_("本文"), blank=True, features=RICH_TEXT_FEATURES)

    parent_page_types = PLACE_PARENTS
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("status"), FieldPanel("zoning")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("total_area_m2"), FieldPanel("available_area_m2")]),
                FieldRowPanel([FieldPanel("price_per_m2"), FieldPanel("price_note")]),
                FieldRowPanel([FieldPanel("building_coverage"), FieldPanel("floor_area_ratio")]),
            ],
            heading=_("面積・価格"),
        ),
        FieldPanel("utilities"),
        FieldPanel("access"),
        FieldPanel("incentives"),
        *PlaceFields.place_panels,
        FieldPanel("lead"),
        FieldPanel("body"),
        *PortalPage.portal_panels,
    ]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    class Meta:
        verbose_name = _("企業誘致・産業用地")

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if (
            self.available_area_m2 is not None
            and self.total_area_m2 is not None
            and self.available_area_m2 > self.total_area_m2
        ):
            errors["available_area_m2"] = _("分譲可能面積は総面積以下にしてください。")
        if self.status == BusinessSiteStatus.SOLD_OUT and self.available_area_m2:
            errors["available_area_m2"] = _("完売の用地に分譲可能面積は入力できません。")
        if errors:
            raise ValidationError(errors)


class ShopKind(models.TextChoices):
    SHOP = "shop", _("店舗")
    STREET = "street", _("商店街")


class ShopCategory(models.TextChoices):
    FOOD = "food", _("飲食")
    RETAIL = "retail", _("物販")
    GALLERY = "gallery", _("陶芸・ギャラリー")
    LODGING = "lodging", _("宿泊")
    SERVICE = "service", _("サービス")
    MIXED = "mixed", _("複合")


class ShopPage(PlaceFields, PortalPage):  # type: ignore[django-manager-missing]
    """商店・商店街: a shop or a shopping street (ギャラリーロード, 稲荷門前通り …)."""

    kind = models.CharField(_("種類"), max_length=10, choices=ShopKind.choices, default=ShopKind.SHOP)
    category = models.CharField(_("業種"), max_length=20, choices=ShopCategory.choices)
    opening_hours = models.CharField(_("営業時間"), max_length=120, blank=True)
    closed_days = models.CharField(_("定休日"), max_length=120, blank=True)
    payment = models.CharField(
        _("支払い方法"), max_length=200, blank=True, help_text=_("例: 現金、クレジットカード、QRコード決済")
    )
    number_of_shops = models.PositiveIntegerField(_("店舗数"), null=True, blank=True, help_text=_("商店街の場合"))
    lead = models.CharField(_("リード文"), max_length=250, blank=True)
    body = RichTextField(_("本文"), blank=True, features=RICH_TEXT_FEATURES)

    parent_page_types = PLACE_PARENTS
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("kind"), FieldPanel("category")]),
        FieldPanel("lead"),
        FieldPanel("body"),
        FieldRowPanel([FieldPanel("opening_hours"), FieldPanel("closed_days")]),
        FieldPanel("payment"),
        FieldPanel("number_of_shops"),
        *PlaceFields.place_panels,
        *PortalPage.portal_panels,
    ]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    class Meta:
        verbose_name = _("商店・商店街")

    def clean(self) -> None:
        super().clean()
        if self.kind == ShopKind.SHOP and self.number_of_shops:
            raise ValidationError({"number_of_shops": _("店舗数は商店街の場合に入力してください。")})
