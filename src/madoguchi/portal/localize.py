"""Translating the website's pages with wagtail-localize.

wagtail-localize offers 「このページを翻訳」 (and 「翻訳済みページを同期」) only to users
holding its Django permission `wagtail_localize.submit_translation`. madoguchi's staff get
Django permissions from their roles (accounts.backends.StaffRoleBackend), so the website's
editors are given it through a registered permission that stands for it: whoever edits
the website translates it. (Which pages they may translate is still Wagtail's page
permission: their own municipality's tree only.)
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.permissions import register

from .permissions import EDIT_WEBSITE

TRANSLATE_WEBSITE = register(
    "portal.translate_website",
    _("ホームページの翻訳"),
    roles=EDIT_WEBSITE.roles,
    django_perms={"wagtail_localize.submit_translation"},
)
