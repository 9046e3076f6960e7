"""Bookings (予約) and the occupancy grid that makes a double booking impossible.

A booking is one unit for one slot of one day. It occupies every half-hour cell of the
slot in every space of the unit: one `Occupancy` row each, unique per (space, day, cell).
Two bookings that share a space and a moment therefore cannot both exist; the database
refuses the second (a unique index, on PostgreSQL and SQLite alike), whatever the code
before it checked. Cancelling a booking deletes its occupancy rows; the booking stays.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import TenantModel


class BookingStatus(models.TextChoices):
    """予約の状態.

    provisional (当選・確定待ち) → confirmed / cancelled (辞退・期限切れ);
    confirmed → checked_in / no_show / cancelled."""

    PROVISIONAL = "provisional", _("確定待ち（当選）")
    CONFIRMED = "confirmed", _("予約済み")
    CHECKED_IN = "checked_in", _("利用済み")
    NO_SHOW = "no_show", _("無断不使用")
    CANCELLED = "cancelled", _("取消")


#: Bookings that hold their slot (have occupancy rows).
HOLDING_STATUSES = (BookingStatus.PROVISIONAL, BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)
#: Bookings that count against a registration's limit of bookings at once.
ACTIVE_STATUSES = (BookingStatus.PROVISIONAL, BookingStatus.CONFIRMED)


class BookingSource(models.TextChoices):
    """How the booking came to be."""

    FIRST_COME = "first_come", _("先着予約")
    LOTTERY = "lottery", _("抽選")
    COUNTER = "counter", _("窓口予約")
    PRIORITY = "priority", _("優先予約（市の行事等）")
    BLOCK = "block", _("一括予約")


class CancelReason(models.TextChoices):
    BY_USER = "by_user", _("利用者による取消")
    BY_STAFF = "by_staff", _("職員による取消")
    CLOSURE = "closure", _("臨時休館")
    UNCONFIRMED = "unconfirmed", _("確定期限切れ")
    DECLINED = "declined", _("当選辞退")
    UNPAID = "unpaid", _("使用料の未納")


def new_qr_token() -> str:
    return secrets.token_urlsafe(24)


class Booking(TenantModel):  # type: ignore[django-manager-missing]
    """予約: one unit for one slot of one day, made by a registration (or by the
    municipality itself for priority and block bookings)."""

    number = models.CharField(_("予約番号"), max_length=20, blank=True)
    registration = models.ForeignKey(
        "facilities.Registration",
        verbose_name=_("利用者登録"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    facility = models.ForeignKey(
        "facilities.Facility", verbose_name=_("施設"), on_delete=models.PROTECT, related_name="bookings"
    )
    unit = models.ForeignKey(
        "facilities.Unit", verbose_name=_("利用単位"), on_delete=models.PROTECT, related_name="bookings"
    )
    slot = models.ForeignKey(
        "facilities.Slot", verbose_name=_("利用区分"), on_delete=models.PROTECT, related_name="bookings"
    )
    date = models.DateField(_("利用日"))
    starts_at = models.TimeField(_("開始時刻"))
    ends_at = models.TimeField(_("終了時刻"))
    status = models.CharField(_("状態"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED)
    source = models.CharField(_("予約の種類"), max_length=12, choices=BookingSource.choices)
    purpose = models.CharField(_("利用目的"), max_length=200, blank=True)
    attendees = models.PositiveIntegerField(_("利用人数"), null=True, blank=True)
    holder_name = models.CharField(
        _("利用者名"), max_length=120, blank=True, help_text=_("市の行事など、登録のない予約の名義。")
    )
    extras = models.ManyToManyField("facilities.FeeExtra", verbose_name=_("付帯設備"), blank=True, related_name="+")
    resident_rate = models.BooleanField(_("市内料金"), default=True)
    fee_amount = models.PositiveIntegerField(_("使用料（円）"), default=0)
    fee_breakdown = models.JSONField(_("使用料の内訳"), default=list, blank=True)
    invoice_number = models.CharField(_("納付番号"), max_length=30, blank=True)
    paid_at = models.DateTimeField(_("納付日時"), null=True, blank=True)
    confirm_by = models.DateTimeField(_("確定期限"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消日時"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消の理由"), max_length=12, choices=CancelReason.choices, blank=True)
    cancellation_fee = models.PositiveIntegerField(_("取消手数料（円）"), default=0)
    checked_in_at = models.DateTimeField(_("利用開始の確認日時"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("確認した職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    block_key = models.UUIDField(_("一括予約の識別子"), null=True, blank=True, db_index=True)
    request_key = models.CharField(
        _("送信の識別子"),
        max_length=64,
        blank=True,
        help_text=_("同じ予約の二重送信を一度の予約にするための値。"),
    )
    qr_token = models.CharField(_("確認コード"), max_length=64, default=new_qr_token, unique=True, editable=False)
    note = models.TextField(_("職員メモ"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("予約した人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("予約日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("予約")
        verbose_name_plural = _("予約")
        ordering = ["date", "starts_at", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "number"], condition=~models.Q(number=""), name="facility_booking_number_unique"
            ),
            models.UniqueConstraint(
                fields=["municipality", "request_key"],
                condition=~models.Q(request_key=""),
                name="facility_booking_request_key_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="facility_booking_order"
            ),
        ]
        indexes = [
            models.Index(fields=["facility", "date"], name="facility_booking_day_idx"),
            models.Index(fields=["registration", "status"], name="facility_booking_reg_idx"),
            models.Index(fields=["municipality", "status", "date"], name="facility_booking_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number or '-'} {self.date} {self.unit_id}"

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    @property
    def holds_slot(self) -> bool:
        return self.status in HOLDING_STATUSES

    @property
    def display_holder(self) -> str:
        if self.registration_id and self.registration is not None:
            return self.registration.name
        return self.holder_name


class Occupancy(TenantModel):  # type: ignore[django-manager-missing]
    """占有: one half-hour cell of one space on one day, held by a booking. The unique
    constraint is the last word on double bookings."""

    booking = models.ForeignKey(Booking, verbose_name=_("予約"), on_delete=models.CASCADE, related_name="occupancies")
    space = models.ForeignKey("facilities.Space", verbose_name=_("区画"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日付"))
    cell = models.PositiveSmallIntegerField(_("時間枠（30分単位）"))

    class Meta:
        verbose_name = _("占有")
        verbose_name_plural = _("占有")
        constraints = [
            models.UniqueConstraint(fields=["space", "date", "cell"], name="facility_occupancy_unique"),
        ]
        indexes = [models.Index(fields=["date", "space"], name="facility_occupancy_day_idx")]

    def __str__(self) -> str:
        return f"{self.space_id} {self.date} {self.cell}"


class BookingCounter(TenantModel):  # type: ignore[django-manager-missing]
    """予約番号の採番: the last number given in a municipality's year."""

    year = models.PositiveSmallIntegerField(_("年"))
    last = models.PositiveIntegerField(_("最終番号"), default=0)

    class Meta:
        verbose_name = _("予約番号の採番")
        verbose_name_plural = _("予約番号の採番")
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="facility_booking_counter_unique")]
