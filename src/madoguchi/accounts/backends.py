"""Django permissions derived from staff roles.

Wagtail's admin and its viewsets ask Django's `user.has_perm(...)`; this backend answers
from the roles that `madoguchi.accounts.permissions` registered, so that the staff console
and madoguchi's own views follow one rule. It authenticates nobody: sign-in goes through
django-allauth alone (second factor, lock-out).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.db.models import Model

from . import permissions

# Every member of staff may enter the staff console; what they see there is decided by
# the permissions of each module.
STAFF_CONSOLE_PERMS = frozenset({"wagtailadmin.access_admin"})


class StaffRoleBackend(BaseBackend):
    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_all_permissions(self, user_obj: Any, obj: Model | None = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        roles = permissions.roles_of(user_obj)
        if not roles:
            return set()
        granted = set(STAFF_CONSOLE_PERMS)
        for perm in permissions.all_permissions():
            if perm.roles & roles:
                granted |= perm.django_perms
        return granted

    def has_perm(self, user_obj: Any, perm: str, obj: Model | None = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)
