from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "madoguchi.payments"
    label = "payments"
    verbose_name = _("収納")

    def ready(self) -> None:
        from madoguchi.core import navigation

        from . import permissions  # noqa: F401 - registers the module's permissions

        # Everyone sees the entry: paying a paper bill online starts from it, and the page
        # asks a visitor to sign in.
        navigation.register("payments", _("お支払い"), "payments:my_payments", order=40)
