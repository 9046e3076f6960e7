from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JapaneseConfig(AppConfig):
    name = "madoguchi.japanese"
    label = "japanese"
    verbose_name = _("日本語入力支援")
