from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def ensure_site_structure_after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    from django.core.management import call_command

    from .services import ensure_site_structure

    # The embedded set-up keeps its cache in the database; page saves touch the cache.
    call_command("createcachetable", database=kwargs.get("using", "default"), verbosity=0)
    ensure_site_structure()
