from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "madoguchi.portal"
    label = "portal"
    verbose_name = _("ホームページ")

    def ready(self) -> None:
        from madoguchi.core import navigation as core_navigation

        from .navigation import menu_pages
        from .signals import ensure_site_structure_after_migrate

        post_migrate.connect(ensure_site_structure_after_migrate, sender=self)
        core_navigation.register_provider(menu_pages)
