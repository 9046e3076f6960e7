from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "madoguchi.portal"
    label = "portal"
    verbose_name = _("ホームページ")

    def ready(self) -> None:
        from madoguchi.accounts.signals import staff_changed
        from madoguchi.core import navigation as core_navigation
        from madoguchi.core.models import Department

        from . import permissions  # noqa: F401 - registers the app's permissions
        from .navigation import menu_pages
        from .signals import (
            ensure_site_structure_after_migrate,
            ensure_website_permissions_after_migrate,
            follow_department_change,
            follow_staff_roles,
            sync_department_workflows_after_migrate,
        )

        post_migrate.connect(ensure_site_structure_after_migrate, sender=self)
        post_migrate.connect(ensure_website_permissions_after_migrate, sender=self)
        # Department approval workflows: set up after migrate and whenever a department
        # is created or changed.
        post_migrate.connect(sync_department_workflows_after_migrate, sender=self)
        post_save.connect(follow_department_change, sender=Department, dispatch_uid="portal-department-workflow")
        staff_changed.connect(follow_staff_roles, dispatch_uid="portal-website-access")
        core_navigation.register_provider(menu_pages)

        from .signals_search import connect as connect_search_index

        connect_search_index()

        from .services import workflows

        # Department approvers follow their roles, like the editors' group above.
        staff_changed.connect(workflows.follow_staff_roles, dispatch_uid="portal-page-approvers")

        # The page cache's invalidation receivers must be connected in every process (also
        # in `publish_scheduled`, which never looks up Wagtail hooks).
        from . import cache  # noqa: F401
        from .staff import feedback as feedback_console  # noqa: F401 - registers the console listing
        from .staff import opendata as opendata_console  # noqa: F401 - open data imports
        from .staff import rota as rota_console  # noqa: F401 - 休日当番医
