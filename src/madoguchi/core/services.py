"""Municipalities and departments: the only way other modules change them."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

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
def update_municipality(
    municipality: Municipality, *, actor: Any = None, request: HttpRequest | None = None, **changes: Any
) -> Municipality:
    for name, value in changes.items():
        setattr(municipality, name, value)
    municipality.full_clean()
    municipality.save()
    cache.delete(HOST_MAP_CACHE_KEY)
    audit.record(action=audit.Action.UPDATE, obj=municipality, actor=actor, request=request, fields=sorted(changes))
    return municipality


@transaction.atomic
def set_municipality_logo(
    municipality: Municipality, upload: UploadedFile | None, *, actor: Any = None, request: HttpRequest | None = None
) -> Municipality:
    """Put an uploaded image up as the municipality's logo (a Wagtail image in the root
    collection), or take the logo down with `upload=None`."""
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    logo = None
    if upload is not None:
        image_model = get_image_model()
        # Wagtail's root collection comes from its migrations; an emptied database (a
        # flush) has lost it, as the page tree's root (see portal.services).
        root = Collection.get_first_root_node() or Collection.add_root(name="Root")
        logo = image_model(title=f"{municipality.name_ja} ロゴ", file=upload, collection=root)
        logo.save()
    municipality.logo = logo
    municipality.save(update_fields=["logo"])
    audit.record(
        action=audit.Action.UPDATE,
        obj=municipality,
        actor=actor,
        request=request,
        fields=["logo"],
        extra={"image_id": logo.pk if logo is not None else None},
    )
    return municipality


@transaction.atomic
def create_department(
    municipality: Municipality,
    *,
    code: str,
    name_ja: str,
    name_en: str = "",
    parent: Department | None = None,
    actor: Any = None,
    request: HttpRequest | None = None,
    **extra: Any,
) -> Department:
    with municipality_scope(municipality):
        department = Department(
            municipality=municipality, code=code, name_ja=name_ja, name_en=name_en, parent=parent, **extra
        )
        department.full_clean()
        department.save()
    audit.record(
        action=audit.Action.CREATE,
        obj=department,
        municipality=municipality,
        actor=actor,
        request=request,
        fields=sorted({"code", "name_ja", "name_en", "parent", *extra}),
    )
    return department


@transaction.atomic
def update_department(
    department: Department, *, actor: Any = None, request: HttpRequest | None = None, **changes: Any
) -> Department:
    """Change a department; only fields whose value differs are saved and recorded. A
    department cannot be placed under itself or one of its own sub-departments."""
    changed = [name for name, value in changes.items() if getattr(department, name) != value]
    if not changed:
        return department
    for name in changed:
        setattr(department, name, changes[name])
    ancestor = department.parent
    while ancestor is not None:
        if ancestor.pk == department.pk:
            raise ValidationError({"parent": _("部署をその部署自身や下位の部署の下に置くことはできません。")})
        ancestor = ancestor.parent
    with municipality_scope(department.municipality_id):
        department.full_clean()
        department.save(update_fields=changed)
    audit.record(action=audit.Action.UPDATE, obj=department, actor=actor, request=request, fields=changed)
    return department
