"""Accounts of residents, businesses and staff, and the roles staff hold."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import TenantModel


class AccountKind(models.TextChoices):
    RESIDENT = "resident", _("住民")
    BUSINESS = "business", _("事業者")
    STAFF = "staff", _("職員")


class Role(models.TextChoices):
    """職員の役割. A staff member holds one or more; permissions are granted to roles."""

    COUNTER_CLERK = "counter_clerk", _("窓口担当")
    OFFICER = "officer", _("担当職員")
    APPROVER = "approver", _("決裁者")
    DEPARTMENT_HEAD = "department_head", _("所属長")
    MUNICIPAL_ADMIN = "municipal_admin", _("団体管理者")
    AUDITOR = "auditor", _("監査担当")


class UserManager(DjangoUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:  # type: ignore[override]
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:  # type: ignore[override]
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:  # type: ignore[override]
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("kind", AccountKind.STAFF)
        return self._create_user(email, password, **extra)


# django-stubs cannot type the reverse managers of tenant models (their default manager is
# django-scopes' ScopedManager, built at run time): `integration_tokens` of api.ApiToken.
class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    """利用者: an account of a resident, a business or a staff member.

    Residents and businesses are accounts of the deployment (one can use the services of
    several municipalities); a staff account belongs to one municipality through its
    `StaffProfile`. `is_superuser` is reserved for the operator of the deployment.
    """

    email = models.EmailField(_("メールアドレス"), unique=True)
    display_name = models.CharField(_("表示名"), max_length=100, blank=True)
    family_name = models.CharField(_("姓"), max_length=50, blank=True)
    given_name = models.CharField(_("名"), max_length=50, blank=True)
    family_name_kana = models.CharField(_("姓（フリガナ）"), max_length=50, blank=True)
    given_name_kana = models.CharField(_("名（フリガナ）"), max_length=50, blank=True)
    organisation_name = models.CharField(_("事業者名"), max_length=200, blank=True)
    corporate_number = models.CharField(_("法人番号"), max_length=13, blank=True)
    kind = models.CharField(_("利用者区分"), max_length=20, choices=AccountKind.choices, default=AccountKind.RESIDENT)
    preferred_language = models.CharField(
        _("使用言語"), max_length=8, choices=[("ja", "日本語"), ("en", "English")], default="ja"
    )
    is_active = models.BooleanField(_("有効"), default=True)
    is_staff = models.BooleanField(
        _("システム管理画面"), default=False, help_text=_("Django管理画面を使える運用者かどうか")
    )
    date_joined = models.DateTimeField(_("登録日時"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("利用者")
        verbose_name_plural = _("利用者")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        if self.family_name or self.given_name:
            return f"{self.family_name} {self.given_name}".strip()
        return self.display_name or self.organisation_name

    def get_short_name(self) -> str:
        return self.display_name or self.family_name or self.email

    # Wagtail's user screens and allauth read and write first_name/last_name.
    @property
    def first_name(self) -> str:
        return self.given_name

    @first_name.setter
    def first_name(self, value: str) -> None:
        self.given_name = (value or "")[:50]

    @property
    def last_name(self) -> str:
        return self.family_name

    @last_name.setter
    def last_name(self, value: str) -> None:
        self.family_name = (value or "")[:50]

    @property
    def staff_profile_or_none(self) -> StaffProfile | None:
        try:
            return self.staff_profile
        except StaffProfile.DoesNotExist:
            return None

    @property
    def is_staff_account(self) -> bool:
        """Municipal staff and the deployment's operators: they sign in with a second
        factor and cannot delete their own account."""
        return bool(self.is_superuser or self.is_staff or self.staff_profile_or_none is not None)


class StaffProfile(TenantModel):
    """職員: ties a staff account to its municipality and department, with its roles."""

    user = models.OneToOneField(User, verbose_name=_("利用者"), on_delete=models.CASCADE, related_name="staff_profile")
    department = models.ForeignKey(
        "core.Department", verbose_name=_("所属"), on_delete=models.PROTECT, related_name="staff"
    )
    staff_number = models.CharField(_("職員番号"), max_length=20, blank=True)
    title = models.CharField(_("職名"), max_length=50, blank=True)
    roles = models.JSONField(
        _("役割"), default=list, help_text=_("窓口担当・担当職員・決裁者・所属長・団体管理者・監査担当")
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("職員")
        verbose_name_plural = _("職員")
        ordering = ["department__sort_order", "staff_number"]

    def __str__(self) -> str:
        return f"{self.user} ({self.department})"

    @property
    def role_set(self) -> frozenset[str]:
        valid = set(Role.values)
        return frozenset(r for r in (self.roles or []) if r in valid)

    def get_role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels[r]) for r in Role.values if r in self.role_set]
