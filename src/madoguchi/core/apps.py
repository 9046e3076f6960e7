from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "madoguchi.core"
    label = "core"
    verbose_name = _("基盤")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers the module's permissions
