from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "madoguchi.audit"
    label = "audit"
    verbose_name = _("監査ログ")

    def ready(self) -> None:
        from . import permissions, signals  # noqa: F401 - registers permissions and receivers
        from .database import install_after_migrate

        # SQLite loses a table's triggers when a migration rebuilds the table.
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="audit-append-only-triggers")
