"""Accounts in the staff console: 職員 (in the 団体の管理 menu) and 利用者."""

from __future__ import annotations

from typing import Any

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from madoguchi.core import permissions as core_permissions
from madoguchi.core.staff_views import RolePermissionPolicy
from madoguchi.core.wagtail_hooks import MUNICIPALITY_MENU_HOOK

from .models import StaffProfile
from .staff_views import PeopleViewSet, StaffViewSet

register_permission_policy(
    StaffProfile,
    RolePermissionPolicy(
        StaffProfile,
        {
            "add": core_permissions.MANAGE_MUNICIPALITY,
            "change": core_permissions.MANAGE_MUNICIPALITY,
            "view": core_permissions.MANAGE_MUNICIPALITY,
        },
    ),
)


class StaffMenu(StaffViewSet):
    menu_hook = MUNICIPALITY_MENU_HOOK
    menu_order = 300


@hooks.register("register_admin_viewset")
def register_viewsets() -> list[Any]:
    return [StaffMenu(), PeopleViewSet()]
