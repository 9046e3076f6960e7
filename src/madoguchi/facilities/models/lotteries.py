"""Lotteries (抽選) for the popular slots of a facility's month.

A round takes entries during its entry period. When entries close the seed is published
(its SHA-256 was published when the round was announced, so it cannot have been chosen
after seeing the entries). The draw, at its set time, orders the entries by
HMAC-SHA256(seed, entry number) and gives each, in that order, its slot if the slot is
still free. Anyone holding the published seed and the list of entry numbers can redo
the draw and get the same result; each entry keeps its key, rank and outcome.

Winners hold a provisional booking until the confirmation deadline; what is not
confirmed by then is released to first-come booking.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import TenantModel

#: The draw's algorithm, named in each round so a later change cannot reinterpret old draws.
DRAW_ALGORITHM = "hmac-sha256-order-v1"


class RoundStatus(models.TextChoices):
    """抽選の状態. scheduled → open → closed (seed published) → drawn → finished
    (confirmation deadline passed, unconfirmed wins released); cancelled from scheduled/open."""

    SCHEDULED = "scheduled", _("受付前")
    OPEN = "open", _("受付中")
    CLOSED = "closed", _("受付終了・抽選待ち")
    DRAWN = "drawn", _("抽選済み・確定受付中")
    FINISHED = "finished", _("終了")
    CANCELLED = "cancelled", _("中止")


class LotteryRound(TenantModel):  # type: ignore[django-manager-missing]
    """抽選: one facility's lottery for the slots of one month."""

    facility = models.ForeignKey(
        "facilities.Facility", verbose_name=_("施設"), on_delete=models.PROTECT, related_name="lottery_rounds"
    )
    month = models.DateField(_("対象月"), help_text=_("その月の1日。"))
    units = models.ManyToManyField(
        "facilities.Unit", verbose_name=_("対象の利用単位"), blank=True, related_name="lottery_rounds"
    )
    status = models.CharField(_("状態"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.SCHEDULED)
    entry_opens_at = models.DateTimeField(_("申込開始"))
    entry_closes_at = models.DateTimeField(_("申込締切"))
    draw_at = models.DateTimeField(_("抽選日時"))
    confirm_until = models.DateTimeField(_("当選の確定期限"))
    max_wins_per_registration = models.PositiveSmallIntegerField(
        _("1登録あたりの当選上限"), default=0, help_text=_("0 は上限なし。")
    )
    algorithm = models.CharField(_("抽選方式"), max_length=40, default=DRAW_ALGORITHM, editable=False)
    seed = models.CharField(_("シード"), max_length=64, editable=False, help_text=_("申込締切までは公開しません。"))
    seed_commitment = models.CharField(_("シードのSHA-256"), max_length=64, editable=False)
    seed_published_at = models.DateTimeField(_("シードの公開日時"), null=True, blank=True)
    drawn_at = models.DateTimeField(_("抽選実施日時"), null=True, blank=True)
    results_notified_at = models.DateTimeField(_("結果の通知日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作成者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("抽選")
        verbose_name_plural = _("抽選")
        ordering = ["-month", "facility"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "month"],
                condition=~models.Q(status="cancelled"),
                name="facility_lottery_round_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(entry_closes_at__gt=models.F("entry_opens_at"))
                & models.Q(draw_at__gte=models.F("entry_closes_at"))
                & models.Q(confirm_until__gt=models.F("draw_at")),
                name="facility_lottery_round_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility.name_ja} {self.month:%Y-%m}"

    @property
    def seed_is_public(self) -> bool:
        return self.seed_published_at is not None


class EntryStatus(models.TextChoices):
    """抽選申込の状態. entered → withdrawn (before closing) / won / lost;
    won → confirmed / declined / expired (not confirmed in time)."""

    ENTERED = "entered", _("申込済み")
    WITHDRAWN = "withdrawn", _("取下げ")
    WON = "won", _("当選（確定待ち）")
    LOST = "lost", _("落選")
    CONFIRMED = "confirmed", _("当選・確定")
    DECLINED = "declined", _("辞退")
    EXPIRED = "expired", _("確定期限切れ")


class LotteryEntry(TenantModel):  # type: ignore[django-manager-missing]
    """抽選申込: a registration's wish for one unit, day and slot in a round."""

    round = models.ForeignKey(LotteryRound, verbose_name=_("抽選"), on_delete=models.PROTECT, related_name="entries")
    number = models.CharField(_("申込番号"), max_length=24)
    registration = models.ForeignKey(
        "facilities.Registration",
        verbose_name=_("利用者登録"),
        on_delete=models.PROTECT,
        related_name="lottery_entries",
    )
    unit = models.ForeignKey("facilities.Unit", verbose_name=_("利用単位"), on_delete=models.PROTECT, related_name="+")
    slot = models.ForeignKey("facilities.Slot", verbose_name=_("利用区分"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("利用日"))
    purpose = models.CharField(_("利用目的"), max_length=200, blank=True)
    attendees = models.PositiveIntegerField(_("利用人数"), null=True, blank=True)
    status = models.CharField(_("状態"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.ENTERED)
    draw_key = models.CharField(_("抽選キー"), max_length=64, blank=True)
    draw_rank = models.PositiveIntegerField(_("抽選順位"), null=True, blank=True)
    outcome_note = models.CharField(_("結果の理由"), max_length=200, blank=True)
    booking = models.OneToOneField(
        "facilities.Booking",
        verbose_name=_("予約"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lottery_entry",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申込者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申込日時"), auto_now_add=True)
    decided_at = models.DateTimeField(_("確定・辞退日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽選申込")
        verbose_name_plural = _("抽選申込")
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="facility_lottery_entry_number_unique"),
            models.UniqueConstraint(
                fields=["round", "registration", "unit", "date", "slot"],
                condition=~models.Q(status="withdrawn"),
                name="facility_lottery_entry_once",
            ),
        ]
        indexes = [models.Index(fields=["registration", "status"], name="facility_entry_reg_idx")]

    def __str__(self) -> str:
        return self.number
