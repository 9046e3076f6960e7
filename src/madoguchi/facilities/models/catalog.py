"""Facilities (公共施設) and what can be booked in them.

A `Facility` (体育館, 公民館 …) is made of `Space`s, the smallest parts that can be used
alone (the half of a gym, one court, one room). What residents book is a `Unit`: one or
more spaces together (全面 = both halves). Two units that share a space can never be
booked for overlapping times: the bookings occupy the spaces, not the units (see
`bookings.Occupancy`).

Time is booked in the slots of the unit's `SlotPattern` (午前・午後・夜間, or hourly). Slots
start and end on the half hour, the grid the occupancy table is kept in.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import TenantModel, in_language

#: Minutes in one cell of the occupancy grid; slot times must fall on it.
CELL_MINUTES = 30
#: The first path segments of the module's own pages under /<municipality>/facilities/
#: (booking_urls, lottery_urls, opendata_urls, registration_urls, catalog_urls): a
#: facility with one of them as its slug would have its pages hidden by them.
RESERVED_FACILITY_SLUGS = frozenset({"book", "lotteries", "my", "opendata", "register", "search"})


class FacilityKind(models.TextChoices):
    """施設の種類."""

    GYM = "gym", _("体育館")
    BUDOKAN = "budokan", _("武道館")
    GROUND = "ground", _("運動場・グラウンド")
    BASEBALL = "baseball", _("野球場")
    TENNIS = "tennis", _("テニスコート")
    POOL = "pool", _("プール")
    COMMUNITY_HALL = "community_hall", _("公民館")
    CULTURE_HALL = "culture_hall", _("文化ホール")
    MEETING_ROOM = "meeting_room", _("会議室・集会施設")
    OTHER = "other", _("その他")


class Facility(TenantModel):  # type: ignore[django-manager-missing]
    """施設: a sports or cultural facility of the municipality, e.g. 笠間市総合公園体育館."""

    slug = models.SlugField(_("識別名"), max_length=80)
    name_ja = models.CharField(_("施設名"), max_length=120)
    name_kana = models.CharField(_("施設名（カナ）"), max_length=200, blank=True)
    name_en = models.CharField(_("施設名（英語）"), max_length=200, blank=True)
    kind = models.CharField(_("種類"), max_length=20, choices=FacilityKind.choices)
    area_ja = models.CharField(_("地区"), max_length=40, blank=True, help_text=_("例: 笠間地区、友部地区、岩間地区"))
    area_en = models.CharField(_("地区（英語）"), max_length=80, blank=True)
    postal_code = models.CharField(
        _("郵便番号"), max_length=8, blank=True, validators=[RegexValidator(r"^\d{3}-?\d{4}$")]
    )
    address_ja = models.CharField(_("所在地"), max_length=200)
    address_en = models.CharField(_("所在地（英語）"), max_length=300, blank=True)
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
    access_ja = models.TextField(_("交通アクセス"), blank=True)
    access_en = models.TextField(_("交通アクセス（英語）"), blank=True)
    description_ja = models.TextField(_("施設の説明"), blank=True)
    description_en = models.TextField(_("施設の説明（英語）"), blank=True)
    accessibility_ja = models.TextField(_("バリアフリー情報"), blank=True)
    accessibility_en = models.TextField(_("バリアフリー情報（英語）"), blank=True)
    wheelchair_accessible = models.BooleanField(_("車いすで利用できる"), default=False)
    accessible_toilet = models.BooleanField(_("多目的トイレあり"), default=False)
    accessible_parking = models.BooleanField(_("障害者用駐車場あり"), default=False)
    parking_spaces = models.PositiveIntegerField(_("駐車台数"), null=True, blank=True)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("所管部署"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opens_at = models.TimeField(_("開館時刻"), default=dt.time(9, 0))
    closes_at = models.TimeField(_("閉館時刻"), default=dt.time(21, 30))
    closed_weekdays = models.CharField(
        _("休館日（曜日）"),
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^[0-6]*$")],
        help_text=_("月曜日=0 … 日曜日=6 の数字を並べます。例: 0 は毎週月曜日。"),
    )
    open_on_holidays = models.BooleanField(
        _("祝日も開館"),
        default=True,
        help_text=_(
            "休館日の曜日が祝日のときは開館し、その翌日（祝日でない日）を休館とします。"
            "開館しないときは祝日を休館日とします。"
        ),
    )
    year_end_closure = models.BooleanField(_("年末年始（12月29日〜1月3日）休館"), default=True)
    booking_horizon_days = models.PositiveIntegerField(
        _("先着予約の受付期間（日）"),
        default=90,
        help_text=_("利用日の何日前から先着順の予約を受け付けるか。抽選対象の枠は抽選後に空いたものだけ。"),
    )
    booking_closes_days = models.PositiveIntegerField(
        _("予約の締切（利用日の何日前）"), default=1, help_text=_("0 は当日まで予約できます。")
    )
    free_cancel_days = models.PositiveIntegerField(_("無料で取り消せる期限（利用日の何日前まで）"), default=7)
    cancel_deadline_days = models.PositiveIntegerField(_("オンラインで取り消せる期限（利用日の何日前まで）"), default=1)
    cancellation_fee_percent = models.PositiveSmallIntegerField(
        _("取消手数料（使用料の％）"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=_("無料期限を過ぎてから取り消すときにかかる割合。"),
    )
    payment_due_days = models.PositiveIntegerField(_("使用料の納付期限（予約確定から何日）"), default=7)
    is_published = models.BooleanField(_("公開"), default=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("施設")
        verbose_name_plural = _("施設")
        ordering = ["sort_order", "name_kana", "slug"]
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="facility_slug_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_ja, self.name_en)

    @property
    def area(self) -> str:
        return in_language(self.area_ja, self.area_en)

    @property
    def address(self) -> str:
        return in_language(self.address_ja, self.address_en)

    @property
    def access(self) -> str:
        return in_language(self.access_ja, self.access_en)

    @property
    def description(self) -> str:
        return in_language(self.description_ja, self.description_en)

    @property
    def accessibility(self) -> str:
        return in_language(self.accessibility_ja, self.accessibility_en)

    def closed_weekday_numbers(self) -> set[int]:
        return {int(c) for c in self.closed_weekdays}

    def clean(self) -> None:
        super().clean()
        if self.slug in RESERVED_FACILITY_SLUGS:
            raise ValidationError(
                {"slug": _("「%(slug)s」は施設予約のページの名前に使われているため使えません。") % {"slug": self.slug}}
            )
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": _("閉館時刻は開館時刻より後にしてください。")})
        if self.cancel_deadline_days > self.free_cancel_days:
            raise ValidationError(
                {"cancel_deadline_days": _("オンラインで取り消せる期限は無料期限と同じかそれより後にしてください。")}
            )


def facility_photo_path(instance: FacilityPhoto, filename: str) -> str:
    return f"facilities/{instance.facility_id}/{filename}"


class FacilityPhoto(TenantModel):  # type: ignore[django-manager-missing]
    """施設の写真. Public: shown on the facility's page, always with its alternative text."""

    facility = models.ForeignKey(Facility, verbose_name=_("施設"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("画像"), upload_to=facility_photo_path)
    alt_ja = models.CharField(_("代替テキスト"), max_length=200)
    alt_en = models.CharField(_("代替テキスト（英語）"), max_length=300, blank=True)
    caption_ja = models.CharField(_("説明文"), max_length=200, blank=True)
    caption_en = models.CharField(_("説明文（英語）"), max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("施設の写真")
        verbose_name_plural = _("施設の写真")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.alt_ja

    @property
    def alt(self) -> str:
        return in_language(self.alt_ja, self.alt_en)

    @property
    def caption(self) -> str:
        return in_language(self.caption_ja, self.caption_en)


class Space(TenantModel):  # type: ignore[django-manager-missing]
    """区画: the smallest part of a facility that can be used alone (体育館の半面A, テニス
    コート1番, 会議室1). Bookings occupy spaces; units are made of them."""

    facility = models.ForeignKey(Facility, verbose_name=_("施設"), on_delete=models.CASCADE, related_name="spaces")
    code = models.SlugField(_("区画コード"), max_length=40)
    name_ja = models.CharField(_("区画名"), max_length=80)
    name_en = models.CharField(_("区画名（英語）"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("区画")
        verbose_name_plural = _("区画")
        ordering = ["facility", "code"]
        constraints = [models.UniqueConstraint(fields=["facility", "code"], name="facility_space_code_unique")]

    def __str__(self) -> str:
        return f"{self.facility.name_ja} {self.name_ja}"

    @property
    def name(self) -> str:
        return in_language(self.name_ja, self.name_en)


class SlotPattern(TenantModel):  # type: ignore[django-manager-missing]
    """時間区分: how a unit's day is divided for booking (午前・午後・夜間, or 1時間単位)."""

    facility = models.ForeignKey(
        Facility, verbose_name=_("施設"), on_delete=models.CASCADE, related_name="slot_patterns"
    )
    name_ja = models.CharField(_("区分名"), max_length=80)
    name_en = models.CharField(_("区分名（英語）"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("時間区分")
        verbose_name_plural = _("時間区分")
        ordering = ["facility", "pk"]

    def __str__(self) -> str:
        return f"{self.facility.name_ja} {self.name_ja}"

    @property
    def name(self) -> str:
        return in_language(self.name_ja, self.name_en)


class TimeOfDay(models.TextChoices):
    """時間帯, for searching and statistics: by a slot's start."""

    MORNING = "morning", _("午前")
    AFTERNOON = "afternoon", _("午後")
    NIGHT = "night", _("夜間")


class Slot(TenantModel):  # type: ignore[django-manager-missing]
    """利用区分: one bookable period of a day, e.g. 午前 9:00–12:00."""

    pattern = models.ForeignKey(SlotPattern, verbose_name=_("時間区分"), on_delete=models.CASCADE, related_name="slots")
    name_ja = models.CharField(_("名称"), max_length=40)
    name_en = models.CharField(_("名称（英語）"), max_length=80, blank=True)
    starts_at = models.TimeField(_("開始時刻"))
    ends_at = models.TimeField(_("終了時刻"))
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("利用区分")
        verbose_name_plural = _("利用区分")
        ordering = ["pattern", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["pattern", "starts_at"], name="facility_slot_start_unique"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="facility_slot_order"),
        ]

    def __str__(self) -> str:
        return f"{self.name_ja} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def name(self) -> str:
        return in_language(self.name_ja, self.name_en)

    @property
    def label(self) -> str:
        """「午前 9:00–12:00」."""
        return f"{self.name} {self.starts_at:%-H:%M}–{self.ends_at:%-H:%M}"

    @property
    def time_of_day(self) -> str:
        if self.starts_at < dt.time(12, 0):
            return TimeOfDay.MORNING
        if self.starts_at < dt.time(17, 0):
            return TimeOfDay.AFTERNOON
        return TimeOfDay.NIGHT

    def clean(self) -> None:
        super().clean()
        for name in ("starts_at", "ends_at"):
            value = getattr(self, name)
            if value is not None and (value.minute % CELL_MINUTES or value.second):
                raise ValidationError({name: _("時刻は30分単位で入力してください。")})
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("終了時刻は開始時刻より後にしてください。")})


class Unit(TenantModel):  # type: ignore[django-manager-missing]
    """利用単位: what is booked, one or more spaces together (体育館全面, 半面A,
    テニスコート1面, 大ホール)."""

    facility = models.ForeignKey(Facility, verbose_name=_("施設"), on_delete=models.CASCADE, related_name="units")
    slug = models.SlugField(_("識別名"), max_length=40)
    name_ja = models.CharField(_("名称"), max_length=80)
    name_en = models.CharField(_("名称（英語）"), max_length=120, blank=True)
    spaces = models.ManyToManyField(Space, verbose_name=_("使う区画"), related_name="units")
    slot_pattern = models.ForeignKey(
        SlotPattern, verbose_name=_("時間区分"), on_delete=models.PROTECT, related_name="units"
    )
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True)
    area_m2 = models.PositiveIntegerField(_("面積（㎡）"), null=True, blank=True)
    description_ja = models.TextField(_("説明"), blank=True)
    description_en = models.TextField(_("説明（英語）"), blank=True)
    is_bookable_online = models.BooleanField(_("オンラインで予約できる"), default=True)
    is_active = models.BooleanField(_("利用できる"), default=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("利用単位")
        verbose_name_plural = _("利用単位")
        ordering = ["facility", "sort_order", "slug"]
        constraints = [models.UniqueConstraint(fields=["facility", "slug"], name="facility_unit_slug_unique")]

    def __str__(self) -> str:
        return f"{self.facility.name_ja} {self.name_ja}"

    @property
    def name(self) -> str:
        return in_language(self.name_ja, self.name_en)

    @property
    def description(self) -> str:
        return in_language(self.description_ja, self.description_en)


class DayKind(models.TextChoices):
    """料金の日区分: Saturdays, Sundays and national holidays are 土日祝."""

    WEEKDAY = "weekday", _("平日")
    HOLIDAY = "holiday", _("土日祝日")


class Residency(models.TextChoices):
    """料金の区分: 市内 (residents, or groups mostly of residents) or 市外."""

    RESIDENT = "resident", _("市内")
    NON_RESIDENT = "non_resident", _("市外")


class FeeRule(TenantModel):  # type: ignore[django-manager-missing]
    """使用料: the fee of one slot of a unit, by day kind and residency. A rule without a
    slot applies to every slot of the unit that has no rule of its own."""

    unit = models.ForeignKey(Unit, verbose_name=_("利用単位"), on_delete=models.CASCADE, related_name="fee_rules")
    slot = models.ForeignKey(
        Slot, verbose_name=_("利用区分"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    day_kind = models.CharField(_("日区分"), max_length=10, choices=DayKind.choices)
    residency = models.CharField(_("料金区分"), max_length=15, choices=Residency.choices)
    amount = models.PositiveIntegerField(_("金額（円）"))

    class Meta:
        verbose_name = _("使用料")
        verbose_name_plural = _("使用料")
        ordering = ["unit", "slot", "day_kind", "residency"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "slot", "day_kind", "residency"],
                condition=models.Q(slot__isnull=False),
                name="facility_fee_rule_unique",
            ),
            models.UniqueConstraint(
                fields=["unit", "day_kind", "residency"],
                condition=models.Q(slot__isnull=True),
                name="facility_fee_rule_default_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_day_kind_display()} {self.get_residency_display()} {self.amount}円"


class FeeExtra(TenantModel):  # type: ignore[django-manager-missing]
    """付帯設備・加算: 照明, 冷暖房, 音響 … charged per slot on top of the use fee. Without
    units it can be added to every unit of the facility."""

    facility = models.ForeignKey(Facility, verbose_name=_("施設"), on_delete=models.CASCADE, related_name="fee_extras")
    units = models.ManyToManyField(Unit, verbose_name=_("対象の利用単位"), blank=True, related_name="fee_extras")
    code = models.SlugField(_("コード"), max_length=40)
    name_ja = models.CharField(_("名称"), max_length=80)
    name_en = models.CharField(_("名称（英語）"), max_length=120, blank=True)
    amount = models.PositiveIntegerField(_("金額（円／区分）"))
    night_only = models.BooleanField(_("夜間の区分のみ"), default=False)

    class Meta:
        verbose_name = _("付帯設備・加算料金")
        verbose_name_plural = _("付帯設備・加算料金")
        ordering = ["facility", "code"]
        constraints = [models.UniqueConstraint(fields=["facility", "code"], name="facility_fee_extra_code_unique")]

    def __str__(self) -> str:
        return f"{self.facility.name_ja} {self.name_ja}"

    @property
    def name(self) -> str:
        return in_language(self.name_ja, self.name_en)


class ClosureKind(models.TextChoices):
    MAINTENANCE = "maintenance", _("保守・工事")
    EVENT = "event", _("行事")
    WEATHER = "weather", _("荒天・災害")
    OTHER = "other", _("その他")


class Closure(TenantModel):  # type: ignore[django-manager-missing]
    """臨時休館・利用停止: a period a facility (or some of its units) cannot be used.
    Creating one cancels the bookings it covers and tells their bookers
    (`services.closures`)."""

    facility = models.ForeignKey(Facility, verbose_name=_("施設"), on_delete=models.CASCADE, related_name="closures")
    units = models.ManyToManyField(
        Unit, verbose_name=_("対象の利用単位"), blank=True, related_name="closures", help_text=_("空欄は施設全体。")
    )
    kind = models.CharField(_("種類"), max_length=20, choices=ClosureKind.choices, default=ClosureKind.MAINTENANCE)
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"))
    starts_at = models.TimeField(_("開始時刻"), null=True, blank=True, help_text=_("空欄は終日。"))
    ends_at = models.TimeField(_("終了時刻"), null=True, blank=True)
    reason_ja = models.CharField(_("理由"), max_length=200)
    reason_en = models.CharField(_("理由（英語）"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    notified_at = models.DateTimeField(_("利用者への通知日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("臨時休館")
        verbose_name_plural = _("臨時休館")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="facility_closure_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility.name_ja} {self.starts_on}–{self.ends_on} {self.reason_ja}"

    @property
    def reason(self) -> str:
        return in_language(self.reason_ja, self.reason_en)

    def clean(self) -> None:
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("終了日は開始日と同じかそれより後にしてください。")})
        if (self.starts_at is None) != (self.ends_at is None):
            raise ValidationError({"ends_at": _("時刻は開始と終了の両方を入力するか、両方とも空欄にしてください。")})
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("終了時刻は開始時刻より後にしてください。")})
