"""The 電子申請 (procedures) menu of the staff console; each part's screens come from
its module of `procedures.staff`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from .staff import PROCEDURES_MENU_HOOK


class ProceduresMenu(ViewSetGroup):
    """電子申請: shown when at least one of its screens is open to the staff member."""

    menu_label = _("電子申請")
    menu_icon = "form"
    menu_order = 200
    submenu_hook = PROCEDURES_MENU_HOOK
    items = ()


@hooks.register("register_admin_viewset")
def register_viewsets() -> list[Any]:
    from .staff import catalog, inbox

    return [ProceduresMenu(), *inbox.viewsets(), *catalog.viewsets()]
