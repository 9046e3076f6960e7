"""APIトークン in the staff console's 団体の管理 menu, for the municipality's administrators."""

from __future__ import annotations

from wagtail import hooks

from madoguchi.core.wagtail_hooks import MUNICIPALITY_MENU_HOOK

from .staff_views import ApiTokenViewSet


class ApiTokenMenu(ApiTokenViewSet):
    menu_hook = MUNICIPALITY_MENU_HOOK
    menu_order = 400


@hooks.register("register_admin_viewset")
def register_api_tokens() -> ApiTokenViewSet:
    return ApiTokenMenu()
