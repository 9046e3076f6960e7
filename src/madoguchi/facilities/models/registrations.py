"""利用者登録: who may book. A resident registers as an individual (個人登録) or for a
group (団体登録: a sports club, a circle) with its representative (代表者) and members;
staff approve the registration and give it a registration card number (登録番号).
Bookings and lottery entries are made as a registration, within its limits."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import TenantModel


class RegistrationKind(models.TextChoices):
    INDIVIDUAL = "individual", _("個人")
    GROUP = "group", _("団体")


class RegistrationStatus(models.TextChoices):
    """登録の状態. pending → approved / rejected; approved → suspended → approved;
    approved → expired (past `valid_until`)."""

    PENDING = "pending", _("審査中")
    APPROVED = "approved", _("承認済み")
    REJECTED = "rejected", _("不承認")
    SUSPENDED = "suspended", _("利用停止")
    EXPIRED = "expired", _("期限切れ")


class Registration(TenantModel):  # type: ignore[django-manager-missing]
    """利用者登録（個人・団体）. Made by a signed-in resident (`user`), who for a group is
    the one who books for it (normally the 代表者)."""

    kind = models.CharField(_("登録の種類"), max_length=12, choices=RegistrationKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("利用者アカウント"),
        on_delete=models.PROTECT,
        related_name="facility_registrations",
    )
    status = models.CharField(
        _("状態"), max_length=12, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    card_number = models.CharField(_("登録番号"), max_length=20, blank=True)
    name = models.CharField(_("氏名・団体名"), max_length=120)
    name_kana = models.CharField(_("フリガナ"), max_length=200)
    representative_name = models.CharField(_("代表者氏名"), max_length=80, blank=True)
    representative_name_kana = models.CharField(_("代表者フリガナ"), max_length=160, blank=True)
    postal_code = models.CharField(_("郵便番号"), max_length=8)
    address = models.CharField(_("住所"), max_length=200)
    phone = models.CharField(_("電話番号"), max_length=20)
    email = models.EmailField(_("メールアドレス"))
    is_resident = models.BooleanField(
        _("市内在住・在勤・在学"),
        default=False,
        help_text=_("団体は構成員の半数以上が市内在住・在勤・在学のとき市内料金になります。"),
    )
    member_count = models.PositiveIntegerField(_("構成員数"), default=1)
    resident_member_count = models.PositiveIntegerField(_("うち市内在住・在勤・在学の人数"), default=0)
    activity = models.CharField(_("主な活動内容"), max_length=200, blank=True)
    max_lottery_entries_per_month = models.PositiveSmallIntegerField(
        _("抽選申込の上限（1か月あたり）"), default=4, validators=[MaxValueValidator(100)]
    )
    max_active_bookings = models.PositiveSmallIntegerField(
        _("同時に持てる予約の上限"), default=4, validators=[MaxValueValidator(200)]
    )
    valid_until = models.DateField(_("有効期限"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("申請日時"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("審査日時"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("審査者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_note = models.TextField(_("審査の理由・メモ"), blank=True)

    class Meta:
        verbose_name = _("利用者登録")
        verbose_name_plural = _("利用者登録")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "card_number"],
                condition=~models.Q(card_number=""),
                name="facility_registration_card_unique",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "status"], name="facility_reg_status_idx")]

    def __str__(self) -> str:
        return f"{self.card_number or '-'} {self.name}"

    @property
    def is_group(self) -> bool:
        return self.kind == RegistrationKind.GROUP

    @property
    def is_active(self) -> bool:
        return self.status == RegistrationStatus.APPROVED

    @property
    def pays_resident_rate(self) -> bool:
        """市内料金: an individual who lives, works or studies in the municipality; a group
        at least half of whose members do."""
        if self.kind == RegistrationKind.GROUP:
            return self.member_count > 0 and self.resident_member_count * 2 >= self.member_count
        return self.is_resident


class GroupMember(TenantModel):  # type: ignore[django-manager-missing]
    """団体の構成員 (名簿)."""

    registration = models.ForeignKey(
        Registration, verbose_name=_("利用者登録"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("氏名"), max_length=80)
    name_kana = models.CharField(_("フリガナ"), max_length=160, blank=True)
    is_resident = models.BooleanField(_("市内在住・在勤・在学"), default=False)

    class Meta:
        verbose_name = _("団体の構成員")
        verbose_name_plural = _("団体の構成員")
        ordering = ["registration", "pk"]

    def __str__(self) -> str:
        return self.name


class RegistrationCounter(TenantModel):  # type: ignore[django-manager-missing]
    """登録番号の採番 (per municipality)."""

    last = models.PositiveIntegerField(_("最終番号"), default=0)

    class Meta:
        verbose_name = _("登録番号の採番")
        verbose_name_plural = _("登録番号の採番")
        constraints = [models.UniqueConstraint(fields=["municipality"], name="facility_registration_counter_unique")]
