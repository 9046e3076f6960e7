"""Account changes: the only way other modules change accounts and staff."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from madoguchi.audit import services as audit

from .models import StaffProfile, User

PROFILE_FIELDS = ("family_name", "given_name", "family_name_kana", "given_name_kana", "display_name", "preferred_language")


@transaction.atomic
def update_profile(user: User, data: dict[str, Any], *, request: HttpRequest | None = None) -> User:
    changed = [f for f in PROFILE_FIELDS if f in data and getattr(user, f) != data[f]]
    for field in changed:
        setattr(user, field, data[field])
    if changed:
        user.save(update_fields=changed)
        audit.record(action=audit.Action.UPDATE, obj=user, fields=changed, personal_data=True, request=request, subject=user)
    return user


@transaction.atomic
def delete_account(user: User, *, request: HttpRequest | None = None) -> None:
    """退会: delete the account and what only it held; the audit log keeps the fact."""
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
    from .models import AccountKind

    user = User.objects.create_user(
        email=email, password=password, family_name=family_name, given_name=given_name, kind=AccountKind.STAFF
    )
    profile = StaffProfile.objects.create(
        user=user, municipality=municipality, department=department, roles=sorted(set(roles)), staff_number=staff_number, title=title
    )
    audit.record(action=audit.Action.CREATE, obj=profile, municipality=municipality, fields=["roles", "department"], actor=actor)
    return profile
