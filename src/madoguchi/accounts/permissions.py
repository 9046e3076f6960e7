"""The one permission helper that every view and API endpoint of every module uses.

A module declares what it lets staff do in its own `permissions.py`::

    from madoguchi.accounts.permissions import register
    from madoguchi.accounts.models import Role

    VIEW_LOG = register(
        "audit.view_log", _("監査ログの閲覧"), roles={Role.AUDITOR, Role.MUNICIPAL_ADMIN},
        django_perms={"audit.view_auditentry"},
    )

and checks it with `has_permission(user, VIEW_LOG, municipality)`, the
`@permission_required(...)` decorator, `PermissionRequiredMixin` or, in the API,
`madoguchi.api.permissions.HasPermission`. A permission is granted to roles; a staff
member holds roles in exactly one municipality; nothing is granted across municipalities.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from madoguchi.core.models import Municipality

    from .models import User


@dataclass(frozen=True)
class Permission:
    """Something staff may do, and the roles that may do it."""

    code: str
    # Not compared or hashed: a lazy label compares (and hashes) as its text in the
    # active language, which would make a permission a different key in Japanese and in
    # English.
    label: str | Promise = field(compare=False)
    roles: frozenset[str] = field(default_factory=frozenset)
    # Django model permissions (app_label.codename) that this permission stands for, so
    # that Wagtail's own permission policies (viewsets, snippets) follow the same roles.
    django_perms: frozenset[str] = field(default_factory=frozenset)

    def __str__(self) -> str:
        return self.code


_REGISTRY: dict[str, Permission] = {}
_DJANGO_PERMS: dict[str, set[str]] = {}


def register(
    code: str,
    label: str | Promise,
    *,
    roles: Iterable[str],
    django_perms: Iterable[str] = (),
) -> Permission:
    """Declare a permission; registering the same code twice with other roles is a bug."""
    perm = Permission(
        code=code, label=label, roles=frozenset(str(r) for r in roles), django_perms=frozenset(django_perms)
    )
    existing = _REGISTRY.get(code)
    if existing is not None and existing != perm:
        raise ImproperlyConfigured(f"Permission {code!r} registered twice with different definitions")
    _REGISTRY[code] = perm
    for dp in perm.django_perms:
        _DJANGO_PERMS.setdefault(dp, set()).add(code)
    return perm


def get(code: str | Permission) -> Permission:
    if isinstance(code, Permission):
        return code
    try:
        return _REGISTRY[code]
    except KeyError:
        raise ImproperlyConfigured(f"Unknown permission {code!r}") from None


def all_permissions() -> list[Permission]:
    return sorted(_REGISTRY.values(), key=lambda p: p.code)


def roles_of(user: User | AnonymousUser, municipality: Municipality | None = None) -> frozenset[str]:
    """The roles the user holds in the municipality (in their own one when None)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cache_attr = "_madoguchi_roles"
    cached: dict[int | None, frozenset[str]] | None = getattr(user, cache_attr, None)
    key = municipality.pk if municipality is not None else None
    if cached is not None and key in cached:
        return cached[key]
    profile = user.staff_profile_or_none  # type: ignore[union-attr]
    roles: frozenset[str] = frozenset()
    if profile is not None and (municipality is None or profile.municipality_id == municipality.pk):
        roles = profile.role_set
    if cached is None:
        cached = {}
        setattr(user, cache_attr, cached)
    cached[key] = roles
    return roles


def has_permission(
    user: User | AnonymousUser, permission: str | Permission, municipality: Municipality | None = None
) -> bool:
    """Whether the user may do this in the municipality.

    `municipality=None` means "in the staff member's own municipality". The deployment's
    superusers (the operator) pass every check; they are audited like everyone else.
    """
    perm = get(permission)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(roles_of(user, municipality) & perm.roles)


def permissions_for_django_perm(django_perm: str) -> list[Permission]:
    return [_REGISTRY[c] for c in sorted(_DJANGO_PERMS.get(django_perm, ()))]


def request_municipality(request: HttpRequest) -> Municipality | None:
    return getattr(request, "municipality", None)


def check_permission(request: HttpRequest, permission: str | Permission) -> None:
    """Raise PermissionDenied unless the request's user holds the permission in the
    request's municipality."""
    municipality = request_municipality(request)
    if municipality is None:
        # No tenant in this request: nothing tenant-scoped can be allowed.
        if not getattr(request.user, "is_superuser", False):
            raise PermissionDenied
        return
    if not has_permission(request.user, permission, municipality):
        raise PermissionDenied


V = TypeVar("V", bound=Callable[..., HttpResponse])


def permission_required(permission: str | Permission) -> Callable[[V], V]:
    """Decorator for function views: sign-in first, then the permission in the request's
    municipality (403 otherwise)."""

    def decorator(view: V) -> V:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            check_permission(request, permission)
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


class PermissionRequiredMixin:
    """For class-based views: set `required_permission`."""

    required_permission: str | Permission | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.required_permission is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs required_permission")
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        check_permission(request, self.required_permission)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc,no-any-return]


# --- The accounts module's own permissions --------------------------------------------
# (Role values spelled out: this module is imported before the models are ready.)

VIEW_PEOPLE = register(
    "accounts.view_people",
    _("利用者（住民・事業者）の検索・閲覧"),
    roles={"counter_clerk", "officer", "department_head", "municipal_admin", "auditor"},
)
