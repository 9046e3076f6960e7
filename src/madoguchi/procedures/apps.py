from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "madoguchi.procedures"
    label = "procedures"
    verbose_name = _("電子申請・届出")

    def ready(self) -> None:
        from madoguchi.core import navigation

        from . import permissions  # noqa: F401 - registers the module's permissions

        navigation.register("procedures", _("申請・届出"), "procedures:catalog", order=30)
