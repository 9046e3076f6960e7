from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "madoguchi.notifications"
    label = "notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        from . import permissions  # noqa: F401
        from .channels import email  # noqa: F401 - registers the e-mail channel
