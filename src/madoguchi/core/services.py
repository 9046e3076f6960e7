"""Municipalities and departments: the only way other modules change them."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction

from madoguchi.audit import services as audit

from .middleware import HOST_MAP_CACHE_KEY
from .models import Department, Municipality
from .tenancy import municipality_scope


@transaction.atomic
def create_municipality(*, actor: Any = None, lead_ja: str = "", lead_en: str = "", **fields: Any) -> Municipality:
    """Register a municipality with its home page (Japanese and English) and the
    Wagtail groups and collection its staff edit the website through."""
    from madoguchi.portal import services as portal

    municipality = Municipality(**fields)
    if not municipality.prefecture and municipality.code:
        municipality.prefecture = municipality.code[:2]
    municipality.full_clean()
    municipality.save()
    portal.create_home_page(municipality, lead_ja=lead_ja, lead_en=lead_en)
    cache.delete(HOST_MAP_CACHE_KEY)
    audit.record(action=audit.Action.CREATE, obj=municipality, actor=actor, fields=sorted(fields))
    return municipality


@transaction.atomic
def update_municipality(municipality: Municipality, *, actor: Any = None, **changes: Any) -> Municipality:
    for name, value in changes.items():
        setattr(municipality, name, value)
    municipality.full_clean()
    municipality.save()
    cache.delete(HOST_MAP_CACHE_KEY)
    audit.record(action=audit.Action.UPDATE, obj=municipality, actor=actor, fields=sorted(changes))
    return municipality


@transaction.atomic
def create_department(
    municipality: Municipality, *, code: str, name_ja: str, name_en: str = "", parent: Department | None = None,
    actor: Any = None, **extra: Any,
) -> Department:
    with municipality_scope(municipality):
        department = Department(
            municipality=municipality, code=code, name_ja=name_ja, name_en=name_en, parent=parent, **extra
        )
        department.full_clean()
        department.save()
    audit.record(action=audit.Action.CREATE, obj=department, municipality=municipality, actor=actor, fields=["code", "name_ja"])
    return department
