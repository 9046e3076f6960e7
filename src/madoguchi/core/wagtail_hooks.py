"""The core module in the staff console: 団体の管理 (the municipality's settings, its
departments and — added by accounts — its staff), and the dashboard's "your place" panel.

Other modules put a screen into the 団体の管理 menu by giving their viewset
`menu_hook = MUNICIPALITY_MENU_HOOK` and registering it with `register_admin_viewset`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.permissions import register_permission_policy

from . import permissions
from .models import Department
from .staff_views import DepartmentViewSet, MunicipalitySettingsViewSet, RolePermissionPolicy, StaffProfilePanel

MUNICIPALITY_MENU_HOOK = "register_madoguchi_municipality_menu_item"

# Registered before any viewset asks Wagtail for the model's policy.
register_permission_policy(
    Department,
    RolePermissionPolicy(
        Department,
        {
            "add": permissions.MANAGE_MUNICIPALITY,
            "change": permissions.MANAGE_MUNICIPALITY,
            "view": permissions.MANAGE_MUNICIPALITY,
        },
    ),
)


class MunicipalitySettingsMenu(MunicipalitySettingsViewSet):
    menu_hook = MUNICIPALITY_MENU_HOOK
    menu_order = 100


class DepartmentMenu(DepartmentViewSet):
    menu_hook = MUNICIPALITY_MENU_HOOK
    menu_order = 200


class MunicipalityAdministration(ViewSetGroup):
    """団体の管理: shown when at least one of its screens is open to the staff member."""

    menu_label = _("団体の管理")
    menu_icon = "site"
    menu_order = 850
    submenu_hook = MUNICIPALITY_MENU_HOOK
    items = ()


@hooks.register("register_admin_viewset")
def register_viewsets() -> list[Any]:
    return [MunicipalitySettingsMenu(), DepartmentMenu(), MunicipalityAdministration()]


@hooks.register("construct_homepage_panels")
def add_staff_profile_panel(request: HttpRequest, panels: list[Any]) -> None:
    panels.append(StaffProfilePanel(request))
