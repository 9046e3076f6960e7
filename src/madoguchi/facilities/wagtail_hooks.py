"""The 施設予約 (facilities) menu of the staff console; each part's screens come from its
module of `facilities.staff`, which registers its own hooks when imported here."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from .staff import FACILITIES_MENU_HOOK


class FacilitiesMenu(ViewSetGroup):
    """施設予約: shown when at least one of its screens is open to the staff member."""

    menu_label = _("施設予約")
    menu_icon = "date"
    menu_order = 210
    submenu_hook = FACILITIES_MENU_HOOK
    items = ()


@hooks.register("register_admin_viewset")
def register_viewsets() -> list[Any]:
    return [FacilitiesMenu()]


from .staff import bookings as _staff_bookings  # noqa: E402,F401  (staff-bookings: counter, check-in, closures)
from .staff import lotteries as _staff_lotteries  # noqa: E402,F401  (lotteries: 抽選の管理)
from .staff import registrations as _staff_registrations  # noqa: E402,F401  (registrations: 利用者登録)
from .staff import setup as _staff_setup  # noqa: E402,F401  (staff-setup: facilities and their parts; statistics)
