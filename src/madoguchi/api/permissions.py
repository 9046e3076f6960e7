"""API permissions: the same helper as every view (`madoguchi.accounts.permissions`).

An endpoint names the permission it needs and uses `HasPermission`::

    class ThingViewSet(viewsets.ReadOnlyModelViewSet):
        permission_classes = [HasPermission]
        required_permission = permissions.VIEW_THINGS
        # or per action: required_permissions = {"list": VIEW_THINGS, "create": ADD_THINGS}

Public endpoints (data anyone may read) use `AllowPublic`; everything else is refused
by the default, `DenyAll`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from madoguchi.accounts import permissions as perms
from madoguchi.accounts.models import Role
from madoguchi.accounts.permissions import register

from .models import ApiToken

ALL_STAFF = set(Role.values)

VIEW_OWN_ACCOUNT = register("api.view_own_account", _("APIで自分のアカウントと役割を確認"), roles=ALL_STAFF)
MANAGE_TOKENS = register("api.manage_tokens", _("APIトークンの発行・失効"), roles={Role.MUNICIPAL_ADMIN})


class DenyAll(BasePermission):
    """The default: a madoguchi endpoint must say who may use it.

    Wagtail's own admin API (the page explorer and choosers of the staff console, under
    /staff/) is written for DRF's stock default and guards itself with Wagtail's
    staff-console check; it keeps working.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        return type(view).__module__.startswith("wagtail.") and request.path.startswith("/staff/")


class AllowPublic(BasePermission):
    """Public data (the municipality list, postal codes): anyone may read."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in ("GET", "HEAD", "OPTIONS")


class HasPermission(BasePermission):
    """The caller must hold the view's `required_permission` (or the one for the action in
    `required_permissions`) in the municipality of the URL; a token only ever works in the
    municipality it was issued for."""

    def has_permission(self, request: Request, view: Any) -> bool:
        municipality = getattr(request._request, "municipality", None)
        if municipality is None:
            # /api/v1/<slug>/… of no (active) municipality.
            raise exceptions.NotFound(_("この団体は見つかりません。"))
        if not request.user or not request.user.is_authenticated:
            return False
        if isinstance(request.auth, ApiToken) and request.auth.municipality_id != municipality.pk:
            raise exceptions.PermissionDenied(_("このAPIトークンは、この団体では使えません。"))
        required = required_permission(view)
        if required is None:
            return False
        return perms.has_permission(request.user, required, municipality)


def required_permission(view: Any) -> perms.Permission | str | None:
    per_action: dict[str, Any] = getattr(view, "required_permissions", {}) or {}
    return per_action.get(getattr(view, "action", None) or "") or getattr(view, "required_permission", None)
