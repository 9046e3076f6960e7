from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "madoguchi.payments"
    label = "payments"
    verbose_name = _("収納")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers the module's permissions
