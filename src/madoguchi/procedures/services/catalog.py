"""手続・分類 in the staff console: creating and changing them, with audit entries.

The console's forms save through these functions; a procedure's form (様式) changes
through `services.forms`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from madoguchi.accounts.permissions import has_permission
from madoguchi.audit import services as audit
from madoguchi.core.models import Department, Municipality
from madoguchi.core.tenancy import municipality_scope

from .. import permissions
from ..models import Procedure, ProcedureCategory
from .common import ProcedureError


def own_department(user: Any, municipality: Municipality | None) -> int | None:
    """The one department whose procedures `user` manages, or None when they manage
    every department's (VIEW_ALL_DEPARTMENTS). A manager without a department gets 0:
    no department's."""
    if municipality is None:
        return 0
    if has_permission(user, permissions.VIEW_ALL_DEPARTMENTS, municipality):
        return None
    profile = getattr(user, "staff_profile_or_none", None)
    return (profile.department_id if profile is not None else None) or 0


def manageable_procedures(user: Any, municipality: Municipality) -> QuerySet[Procedure]:
    """The procedures of the municipality that `user` may change (MANAGE_PROCEDURES)."""
    procedures = Procedure.objects.filter(municipality=municipality)
    if not has_permission(user, permissions.MANAGE_PROCEDURES, municipality):
        return procedures.none()
    department = own_department(user, municipality)
    return procedures if department is None else procedures.filter(department_id=department)


def may_manage(user: Any, procedure: Procedure) -> bool:
    if not has_permission(user, permissions.MANAGE_PROCEDURES, procedure.municipality):
        return False
    department = own_department(user, procedure.municipality)
    return department is None or procedure.department_id == department


def _check_department(municipality: Municipality, department: Department | None) -> None:
    if department is not None and department.municipality_id != municipality.pk:
        raise ProcedureError(_("担当部署は、この団体の部署から選んでください。"), code="department")


def _check_category(municipality: Municipality, category: ProcedureCategory | None) -> None:
    if category is not None and category.municipality_id != municipality.pk:
        raise ProcedureError(_("分類は、この団体の分類から選んでください。"), code="category")


@transaction.atomic
def create_procedure(
    municipality: Municipality, *, actor: Any = None, request: HttpRequest | None = None, **values: Any
) -> Procedure:
    """A new procedure of the municipality (its form starts as a draft in the editor)."""
    _check_department(municipality, values.get("department"))
    _check_category(municipality, values.get("category"))
    with municipality_scope(municipality):
        if Procedure.objects.filter(municipality=municipality, slug=values.get("slug", "")).exists():
            raise ProcedureError(_("この識別名の手続は既にあります。"), code="slug")
        procedure = Procedure(municipality=municipality, **values)
        procedure.full_clean()
        procedure.save()
    audit.record(
        action=audit.Action.CREATE,
        obj=procedure,
        municipality=municipality,
        actor=actor,
        request=request,
        fields=sorted(values),
    )
    return procedure


@transaction.atomic
def update_procedure(
    procedure: Procedure, *, actor: Any = None, request: HttpRequest | None = None, **changes: Any
) -> Procedure:
    """Change a procedure; only fields whose value differs are saved and recorded."""
    municipality = procedure.municipality
    changed = [name for name, value in changes.items() if getattr(procedure, name) != value]
    if not changed:
        return procedure
    if "department" in changed:
        _check_department(municipality, changes["department"])
    if "category" in changed:
        _check_category(municipality, changes["category"])
    if "slug" in changed:
        with municipality_scope(municipality):
            taken = Procedure.objects.filter(municipality=municipality, slug=changes["slug"]).exclude(pk=procedure.pk)
            if taken.exists():
                raise ProcedureError(_("この識別名の手続は既にあります。"), code="slug")
    for name in changed:
        setattr(procedure, name, changes[name])
    with municipality_scope(municipality):
        procedure.full_clean()
        procedure.save()
    audit.record(
        action=audit.Action.UPDATE,
        obj=procedure,
        municipality=municipality,
        actor=actor,
        request=request,
        fields=sorted(changed),
    )
    return procedure


@transaction.atomic
def create_category(
    municipality: Municipality, *, actor: Any = None, request: HttpRequest | None = None, **values: Any
) -> ProcedureCategory:
    with municipality_scope(municipality):
        if ProcedureCategory.objects.filter(municipality=municipality, slug=values.get("slug", "")).exists():
            raise ProcedureError(_("この識別名の分類は既にあります。"), code="slug")
        category = ProcedureCategory(municipality=municipality, **values)
        category.full_clean()
        category.save()
    audit.record(
        action=audit.Action.CREATE,
        obj=category,
        municipality=municipality,
        actor=actor,
        request=request,
        fields=sorted(values),
    )
    return category


@transaction.atomic
def update_category(
    category: ProcedureCategory, *, actor: Any = None, request: HttpRequest | None = None, **changes: Any
) -> ProcedureCategory:
    municipality = category.municipality
    changed = [name for name, value in changes.items() if getattr(category, name) != value]
    if not changed:
        return category
    if "slug" in changed:
        with municipality_scope(municipality):
            taken = ProcedureCategory.objects.filter(municipality=municipality, slug=changes["slug"]).exclude(
                pk=category.pk
            )
            if taken.exists():
                raise ProcedureError(_("この識別名の分類は既にあります。"), code="slug")
    for name in changed:
        setattr(category, name, changes[name])
    with municipality_scope(municipality):
        category.full_clean()
        category.save()
    audit.record(
        action=audit.Action.UPDATE,
        obj=category,
        municipality=municipality,
        actor=actor,
        request=request,
        fields=sorted(changed),
    )
    return category
