"""Tenancy: the municipalities of a deployment and their departments.

Every domain row of every module belongs to a `Municipality`. Models that do inherit
`TenantModel`, whose default manager refuses to run a query unless a municipality scope is
active (django-scopes); the request's scope is opened by `MunicipalityMiddleware`, and
background tasks open it with `municipality_scope()`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from madoguchi.japanese.checkdigits import validate_local_government_code

from .colours import validate_hex_colour, validate_white_text_contrast

# fmt: off
PREFECTURES: list[tuple[str, str]] = [
    ("01", "北海道"), ("02", "青森県"), ("03", "岩手県"), ("04", "宮城県"), ("05", "秋田県"),
    ("06", "山形県"), ("07", "福島県"), ("08", "茨城県"), ("09", "栃木県"), ("10", "群馬県"),
    ("11", "埼玉県"), ("12", "千葉県"), ("13", "東京都"), ("14", "神奈川県"), ("15", "新潟県"),
    ("16", "富山県"), ("17", "石川県"), ("18", "福井県"), ("19", "山梨県"), ("20", "長野県"),
    ("21", "岐阜県"), ("22", "静岡県"), ("23", "愛知県"), ("24", "三重県"), ("25", "滋賀県"),
    ("26", "京都府"), ("27", "大阪府"), ("28", "兵庫県"), ("29", "奈良県"), ("30", "和歌山県"),
    ("31", "鳥取県"), ("32", "島根県"), ("33", "岡山県"), ("34", "広島県"), ("35", "山口県"),
    ("36", "徳島県"), ("37", "香川県"), ("38", "愛媛県"), ("39", "高知県"), ("40", "福岡県"),
    ("41", "佐賀県"), ("42", "長崎県"), ("43", "熊本県"), ("44", "大分県"), ("45", "宮崎県"),
    ("46", "鹿児島県"), ("47", "沖縄県"),
]

PREFECTURES_EN: dict[str, str] = {
    "01": "Hokkaido", "02": "Aomori", "03": "Iwate", "04": "Miyagi", "05": "Akita",
    "06": "Yamagata", "07": "Fukushima", "08": "Ibaraki", "09": "Tochigi", "10": "Gunma",
    "11": "Saitama", "12": "Chiba", "13": "Tokyo", "14": "Kanagawa", "15": "Niigata",
    "16": "Toyama", "17": "Ishikawa", "18": "Fukui", "19": "Yamanashi", "20": "Nagano",
    "21": "Gifu", "22": "Shizuoka", "23": "Aichi", "24": "Mie", "25": "Shiga", "26": "Kyoto",
    "27": "Osaka", "28": "Hyogo", "29": "Nara", "30": "Wakayama", "31": "Tottori",
    "32": "Shimane", "33": "Okayama", "34": "Hiroshima", "35": "Yamaguchi", "36": "Tokushima",
    "37": "Kagawa", "38": "Ehime", "39": "Kochi", "40": "Fukuoka", "41": "Saga",
    "42": "Nagasaki", "43": "Kumamoto", "44": "Oita", "45": "Miyazaki", "46": "Kagoshima",
    "47": "Okinawa",
}
# fmt: on


def in_language(ja: str, en: str) -> str:
    """The English text on English pages when there is one, else the Japanese: how every
    model with `…_ja` and `…_en` fields shows itself."""
    if en and (get_language() or "ja").startswith("en"):
        return en
    return ja


def validate_slug_not_reserved(value: str) -> None:
    if value in settings.RESERVED_SLUGS:
        raise ValidationError(_("「%(slug)s」はシステムで使用しているため使えません。"), params={"slug": value})


class Municipality(models.Model):
    """地方公共団体: one municipality (市区町村) served by this deployment, the tenant."""

    code = models.CharField(
        _("地方公共団体コード"),
        max_length=6,
        unique=True,
        validators=[validate_local_government_code],
        help_text=_("総務省の全国地方公共団体コード（6桁、検査数字を含む）"),
    )
    name_ja = models.CharField(_("名称"), max_length=50)
    name_kana = models.CharField(_("名称（ふりがな）"), max_length=80, blank=True)
    name_en = models.CharField(_("名称（英語）"), max_length=80)
    prefecture = models.CharField(_("都道府県"), max_length=2, choices=PREFECTURES)
    slug = models.SlugField(
        _("URL名"),
        max_length=40,
        unique=True,
        validators=[validate_slug_not_reserved],
        help_text=_("ページのURLの先頭に付く名前（例：kasama → /kasama/）"),
    )
    host_names = models.JSONField(
        _("ホスト名"),
        default=list,
        blank=True,
        help_text=_("この団体に割り当てる独自ドメイン（例：www.city.kasama.example）"),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("ロゴ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # White text sits on both colours (navigation bar, buttons), hence the contrast check.
    primary_colour = models.CharField(
        _("基調色"),
        max_length=7,
        default="#0031d8",
        validators=[validate_hex_colour, validate_white_text_contrast],
        help_text=_("ナビゲーションやボタンの背景色。白い文字とのコントラスト比が 4.5:1 以上の濃い色にしてください。"),
    )
    accent_colour = models.CharField(
        _("強調色"),
        max_length=7,
        default="#00118f",
        validators=[validate_hex_colour, validate_white_text_contrast],
        help_text=_(
            "ボタンにポインターを重ねたときなどの色。白い文字とのコントラスト比が 4.5:1 以上の濃い色にしてください。"
        ),
    )
    postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True)
    address = models.CharField(_("所在地"), max_length=200, blank=True)
    address_en = models.CharField(
        _("所在地（英語）"),
        max_length=250,
        blank=True,
        help_text=_("英語のページに表示します。空欄なら日本語で表示します。"),
    )
    phone = models.CharField(_("代表電話"), max_length=20, blank=True)
    email = models.EmailField(_("代表メールアドレス"), blank=True)
    office_hours_ja = models.CharField(
        _("開庁時間"),
        max_length=200,
        blank=True,
        help_text=_("例：平日 午前8時30分から午後5時15分まで（土日・祝日・年末年始を除く）"),
    )
    office_hours_en = models.CharField(
        _("開庁時間（英語）"),
        max_length=250,
        blank=True,
        help_text=_("例：Weekdays 8:30 a.m. to 5:15 p.m. (closed on weekends, national holidays and at New Year)"),
    )
    is_active = models.BooleanField(_("公開中"), default=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("地方公共団体")
        verbose_name_plural = _("地方公共団体")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_en if (get_language() or "ja").startswith("en") else self.name_ja

    @property
    def is_english(self) -> bool:
        return (get_language() or "ja").startswith("en")

    @property
    def localized_address(self) -> tuple[str, str]:
        """(address, its language): the English address on English pages when there is one."""
        if self.is_english and self.address_en:
            return self.address_en, "en"
        return self.address, "ja"

    @property
    def localized_office_hours(self) -> tuple[str, str]:
        """(opening hours of the city hall, their language); empty when not known."""
        if self.is_english and self.office_hours_en:
            return self.office_hours_en, "en"
        return self.office_hours_ja, "ja"

    @property
    def has_contact_details(self) -> bool:
        return bool(self.address or self.address_en or self.phone or self.email or self.office_hours_ja)

    @property
    def prefecture_name(self) -> str:
        if (get_language() or "ja").startswith("en"):
            return PREFECTURES_EN.get(self.prefecture, "")
        return dict(PREFECTURES).get(self.prefecture, "")

    def clean(self) -> None:
        super().clean()
        if self.code and not self.prefecture:
            self.prefecture = self.code[:2]
        if self.code and self.prefecture and self.code[:2] != self.prefecture:
            raise ValidationError({"prefecture": _("地方公共団体コードの上2桁と都道府県が一致しません。")})
        hosts = [h.strip().lower() for h in (self.host_names or []) if str(h).strip()]
        self.host_names = hosts


class TenantQuerySet(models.QuerySet["Any"]):
    def for_municipality(self, municipality: Municipality) -> TenantQuerySet:
        return self.filter(municipality=municipality)


def TenantManager() -> Any:  # noqa: N802 - mirrors django-scopes' factory
    """The default manager of every tenant model: queries need an active municipality scope."""
    return ScopedManager(municipality="municipality", _manager_class=models.Manager.from_queryset(TenantQuerySet))


class TenantModel(models.Model):
    """Base of every domain model: the row belongs to exactly one municipality."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("地方公共団体"), on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar[Any] = TenantManager()
    # For the few places that must cross tenants on purpose (deployment operators,
    # migrations, cross-municipality search); never for a request's own data.
    unscoped: ClassVar[models.Manager[Any]] = models.Manager()

    class Meta:
        abstract = True


# The tenant manager is built at run time (django-scopes), so django-stubs cannot derive
# the reverse managers (children, staff) from it.
class Department(TenantModel):  # type: ignore[django-manager-missing]
    """部署: a department (部・課) of a municipality; staff belong to one."""

    code = models.CharField(_("部署コード"), max_length=20)
    name_ja = models.CharField(_("部署名"), max_length=80)
    name_en = models.CharField(_("部署名（英語）"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上位部署"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)
    is_active = models.BooleanField(_("有効"), default=True)

    class Meta:
        verbose_name = _("部署")
        verbose_name_plural = _("部署")
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="department_code_unique_per_municipality")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_ja, self.name_en)

    def clean(self) -> None:
        super().clean()
        if self.parent_id and self.parent and self.parent.municipality_id != self.municipality_id:
            raise ValidationError({"parent": _("上位部署は同じ団体の部署を選んでください。")})
