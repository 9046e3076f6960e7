"""API permissions: the same helper as every view (`madoguchi.accounts.permissions`)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from madoguchi.accounts import permissions as perms

from .models import ApiToken


class DenyAll(BasePermission):
    """The default: an endpoint must say who may use it."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return False


class AllowPublic(BasePermission):
    """Public data (the municipality list, postal codes): anyone may read."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in ("GET", "HEAD", "OPTIONS")


class HasPermission(BasePermission):
    """The view names `required_permission` (or `required_permissions` per action); the
    caller must hold it in the municipality of the URL, and a token only ever works in
    the municipality it was issued for."""

    def has_permission(self, request: Request, view: Any) -> bool:
        municipality = getattr(request._request, "municipality", None)
        if municipality is None or not request.user or not request.user.is_authenticated:
            return False
        if isinstance(request.auth, ApiToken) and request.auth.municipality_id != municipality.pk:
            return False
        required = getattr(view, "required_permissions", {}).get(getattr(view, "action", None)) or getattr(
            view, "required_permission", None
        )
        if required is None:
            return False
        return perms.has_permission(request.user, required, municipality)
