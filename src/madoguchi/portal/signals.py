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


def sync_department_workflows_after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    """Every municipality's departments have their approval workflow, assigned to the
    sections they own — on a new installation and on upgrade (departments and sections
    that existed before the workflows did)."""
    from madoguchi.core.models import Municipality
    from madoguchi.core.tenancy import municipality_scope

    from .services import workflows

    for municipality in Municipality.objects.all():
        with municipality_scope(municipality):
            workflows.sync_department_workflows(municipality)


def follow_department_change(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """A department created or changed (core has no signal of its own: `post_save` of
    `core.Department`, which `core.services.create_department`/`update_department` and the
    console's department screens go through). Run once the change is committed: the
    department is then there to read, and a rolled-back change leaves no workflow."""
    if raw:  # loaddata: the workflows follow on the next migrate
        return
    from django.db import transaction

    from madoguchi.core.tenancy import municipality_scope

    from .services import workflows

    department_id, municipality_id = instance.pk, instance.municipality_id

    def follow() -> None:
        from madoguchi.core.models import Department

        with municipality_scope(municipality_id):
            department = Department.unscoped.filter(pk=department_id).first()
            if department is not None:
                workflows.follow_department(department)

    transaction.on_commit(follow)
