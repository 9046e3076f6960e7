"""Account changes: the only way other modules change accounts and staff."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
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


@transaction.atomic
def update_profile(user: User, data: dict[str, Any], *, request: HttpRequest | None = None) -> User:
    """Change the person's own details; the audit log names the fields, not the values."""
    changed = [f for f in PROFILE_FIELDS if f in data and getattr(user, f) != data[f]]
    for field in changed:
        setattr(user, field, data[field])
    if changed:
        user.save(update_fields=changed)
        audit.record(action=audit.Action.UPDATE, obj=user, fields=changed, personal_data=True, request=request, subject=user)
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
        user=user, municipality=municipality, department=department, roles=sorted(set(roles)), staff_number=staff_number, title=title
    )
    audit.record(action=audit.Action.CREATE, obj=profile, municipality=municipality, fields=["roles", "department"], actor=actor)
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
    return user
