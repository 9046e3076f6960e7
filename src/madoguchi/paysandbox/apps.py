from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaySandboxConfig(AppConfig):
    name = "madoguchi.paysandbox"
    label = "paysandbox"
    verbose_name = _("決済サンドボックス")
    default_auto_field = "django.db.models.BigAutoField"
