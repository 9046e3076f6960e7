from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "madoguchi.procedures"
    label = "procedures"
    verbose_name = _("電子申請・届出")

    def ready(self) -> None:
        from madoguchi.core import navigation

        from . import (
            permissions,  # noqa: F401 - registers the module's permissions
            signals,
        )

        signals.connect()
        navigation.register("procedures", _("申請・届出"), "procedures:catalog", order=30)
        # Only those who can have applications see the link to their history.
        navigation.register(
            "my_submissions",
            _("申請履歴"),
            "procedures:my_submissions",
            order=35,
            visible=lambda request: bool(getattr(getattr(request, "user", None), "is_authenticated", False)),
        )
