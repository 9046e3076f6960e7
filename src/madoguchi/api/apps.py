from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "madoguchi.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        # Registers the permissions, and the bearer scheme of the OpenAPI document.
        from . import permissions, schema  # noqa: F401
