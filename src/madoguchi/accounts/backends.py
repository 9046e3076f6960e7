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
# Computed once per user object (that is, per request), like Django's own backends do.
_CACHE_ATTR = "_madoguchi_role_perm_cache"


class StaffRoleBackend(BaseBackend):
    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_all_permissions(self, user_obj: Any, obj: Model | None = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        cached: set[str] | None = getattr(user_obj, _CACHE_ATTR, None)
        if cached is not None:
            return cached
        granted: set[str] = set()
        roles = permissions.roles_of(user_obj)
        if roles:
            granted |= STAFF_CONSOLE_PERMS
            for perm in permissions.all_permissions():
                if perm.roles & roles:
                    granted |= perm.django_perms
        setattr(user_obj, _CACHE_ATTR, granted)
        return granted

    def has_perm(self, user_obj: Any, perm: str, obj: Model | None = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        """Django's admin and Wagtail ask this before listing an app's models."""
        prefix = f"{app_label}."
        return any(perm.startswith(prefix) for perm in self.get_all_permissions(user_obj))
