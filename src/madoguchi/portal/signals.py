from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def ensure_site_structure_after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    from django.core.management import call_command

    from .services import ensure_site_structure

    # The embedded set-up keeps its cache in the database; page saves touch the cache.
    call_command("createcachetable", database=kwargs.get("using", "default"), verbosity=0)
    ensure_site_structure()


def follow_staff_roles(sender: Any, profile: Any, **kwargs: Any) -> None:
    """Website editing rights follow the staff member's roles (accounts.signals.staff_changed)."""
    from .services import sync_website_access

    sync_website_access(profile)


def ensure_website_permissions_after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    """Municipalities registered before website groups existed get theirs on upgrade."""
    from madoguchi.core.models import Municipality

    from .services import ensure_website_permissions

    for municipality in Municipality.objects.all():
        ensure_website_permissions(municipality)
