"""Account changes: the only way other modules change accounts and staff."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from madoguchi.audit import services as audit

from .models import AccountKind, StaffProfile, User

PROFILE_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "display_name",
    "organisation_name",
    "corporate_number",
    "preferred_language",
)


def _staff_changed(profile: StaffProfile) -> None:
    from .signals import staff_changed

    staff_changed.send(sender=StaffProfile, profile=profile)


@transaction.atomic
def update_profile(user: User, data: dict[str, Any], *, request: HttpRequest | None = None) -> User:
    """Change the person's own details; the audit log names the fields, not the values."""
    changed = [f for f in PROFILE_FIELDS if f in data and getattr(user, f) != data[f]]
    for field in changed:
        setattr(user, field, data[field])
    if changed:
        user.save(update_fields=changed)
        audit.record(
            action=audit.Action.UPDATE, obj=user, fields=changed, personal_data=True, request=request, subject=user
        )
    return user


@transaction.atomic
def delete_account(user: User, *, request: HttpRequest | None = None) -> None:
    """退会: delete the account and what only it held; the audit log keeps the fact.

    Staff accounts are never deleted this way: the administrator deactivates them."""
    if user.is_staff_account:
        raise PermissionDenied("staff accounts are deactivated, not deleted")
    audit.record(action=audit.Action.DELETE, obj=user, personal_data=True, request=request, subject=user, actor=user)
    user.delete()


@transaction.atomic
def create_staff(
    *,
    email: str,
    municipality: Any,
    department: Any,
    roles: list[str],
    family_name: str = "",
    given_name: str = "",
    password: str | None = None,
    staff_number: str = "",
    title: str = "",
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> StaffProfile:
    """A staff account of the municipality. Its address is the one the municipality gave
    the member of staff, so it counts as verified; the first sign-in sends the member
    to enrol a second factor."""
    from allauth.account.models import EmailAddress

    if department.municipality_id != municipality.pk:
        raise ValueError("the department belongs to another municipality")
    user = User.objects.create_user(
        email=email, password=password, family_name=family_name, given_name=given_name, kind=AccountKind.STAFF
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    profile = StaffProfile.objects.create(
        user=user,
        municipality=municipality,
        department=department,
        roles=sorted(set(roles)),
        staff_number=staff_number,
        title=title,
    )
    audit.record(
        action=audit.Action.CREATE,
        obj=profile,
        municipality=municipality,
        fields=["roles", "department"],
        actor=actor,
        request=request,
        extra={"roles": profile.roles},
    )
    _staff_changed(profile)
    return profile


@transaction.atomic
def set_active(user: User, active: bool, *, actor: User | None = None, request: HttpRequest | None = None) -> User:
    """Deactivate (or reactivate) an account: a deactivated account cannot sign in, and
    its API tokens stop working; its records stay."""
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        profile = user.staff_profile_or_none
        audit.record(
            action=audit.Action.UPDATE,
            obj=user,
            fields=["is_active"],
            actor=actor,
            request=request,
            municipality=profile.municipality if profile is not None else None,
        )
        if profile is not None:
            _staff_changed(profile)
    return user


STAFF_PROFILE_FIELDS = ("department", "roles", "title", "staff_number")
STAFF_USER_FIELDS = ("family_name", "given_name")


def _administrators_left(municipality_id: int, *, without: StaffProfile) -> bool:
    from .models import Role

    others = StaffProfile.unscoped.filter(municipality_id=municipality_id, user__is_active=True).exclude(pk=without.pk)
    return any(Role.MUNICIPAL_ADMIN in p.role_set for p in others)


@transaction.atomic
def update_staff(
    profile: StaffProfile, *, actor: User | None = None, request: HttpRequest | None = None, **changes: Any
) -> StaffProfile:
    """Change a staff member's department, roles, title, staff number or name. The
    municipality always keeps at least one active administrator."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from .models import Role

    unknown = set(changes) - {*STAFF_PROFILE_FIELDS, *STAFF_USER_FIELDS}
    if unknown:
        raise ValueError(f"not a staff field: {sorted(unknown)}")
    if "roles" in changes:
        changes["roles"] = sorted({str(r) for r in changes["roles"]})
        if not set(changes["roles"]) <= set(Role.values):
            raise ValidationError({"roles": _("役割の指定が正しくありません。")})
    department = changes.get("department")
    if department is not None and department.municipality_id != profile.municipality_id:
        raise ValidationError({"department": _("同じ団体の部署を選んでください。")})
    user = profile.user
    profile_changes = [f for f in STAFF_PROFILE_FIELDS if f in changes and getattr(profile, f) != changes[f]]
    user_changes = [f for f in STAFF_USER_FIELDS if f in changes and getattr(user, f) != changes[f]]
    if not profile_changes and not user_changes:
        return profile
    before = profile.role_set
    losing_admin = Role.MUNICIPAL_ADMIN in before and Role.MUNICIPAL_ADMIN not in changes.get("roles", before)
    if (
        "roles" in profile_changes
        and losing_admin
        and not _administrators_left(profile.municipality_id, without=profile)
    ):
        raise ValidationError({"roles": _("団体管理者がいなくなるため、この職員から団体管理者の役割は外せません。")})
    for f in profile_changes:
        setattr(profile, f, changes[f])
    for f in user_changes:
        setattr(user, f, changes[f])
    if profile_changes:
        profile.save(update_fields=profile_changes)
        _staff_changed(profile)
    if user_changes:
        user.save(update_fields=user_changes)
    extra: dict[str, Any] = {}
    if "roles" in profile_changes:
        extra = {"roles_added": sorted(profile.role_set - before), "roles_removed": sorted(before - profile.role_set)}
    audit.record(
        action=audit.Action.UPDATE,
        obj=profile,
        municipality=profile.municipality,
        fields=[*profile_changes, *user_changes],
        actor=actor,
        request=request,
        extra=extra,
    )
    return profile


@transaction.atomic
def deactivate_staff(profile: StaffProfile, *, actor: User | None = None, request: HttpRequest | None = None) -> None:
    """Stop a staff account (it keeps its records). Nobody deactivates their own account,
    and the municipality's last active administrator stays."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from .models import Role

    if actor is not None and actor.pk == profile.user_id:
        raise ValidationError(_("自分のアカウントは停止できません。"))
    if Role.MUNICIPAL_ADMIN in profile.role_set and not _administrators_left(profile.municipality_id, without=profile):
        raise ValidationError(_("団体管理者がいなくなるため、このアカウントは停止できません。"))
    set_active(profile.user, False, actor=actor, request=request)


def invite_staff(profile: StaffProfile, *, request: HttpRequest | None = None) -> None:
    """Send a new member of staff the link to set their password (allauth's reset link,
    valid for PASSWORD_RESET_TIMEOUT). The message leaves when the transaction commits."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.conf import settings
    from django.urls import reverse

    from madoguchi.notifications import services as notifications

    user = profile.user
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    base = request.build_absolute_uri("/") if request is not None else settings.SITE_URL
    notifications.notify(
        user,
        "accounts/staff_invitation",
        {
            "department": profile.department.name_ja,
            "login_url": base.rstrip("/") + reverse("account_login"),
            "email": user.email,
        },
        municipality=profile.municipality,
        secrets={"password_set_url": base.rstrip("/") + path},
        idempotency_key=f"accounts:staff:{profile.pk}:invitation",
    )


def people_of(municipality: Any) -> QuerySet[User]:
    """The residents and businesses who have used the municipality's services: their
    accounts belong to the deployment, and one appears here once the municipality's audit
    log names it as the one who acted or the one whose data it was."""
    from django.db.models import Q

    acted, concerned = audit.people_in_chain(municipality)
    return User.objects.filter(kind__in=[AccountKind.RESIDENT, AccountKind.BUSINESS]).filter(
        Q(pk__in=acted) | Q(pk__in=concerned)
    )
