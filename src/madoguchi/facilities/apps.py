from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "madoguchi.facilities"
    label = "facilities"
    verbose_name = _("公共施設予約")

    def ready(self) -> None:
        from madoguchi.core import navigation

        from . import (
            permissions,  # noqa: F401 - registers the module's permissions
            signals,
        )

        signals.connect()
        navigation.register("facilities", _("施設予約"), "facilities:index", order=32)
