"""Payments in the staff console. Each screen lives in its own module here and registers
its viewset with `menu_hook = PAYMENTS_MENU_HOOK` so that it appears in the 収納 menu."""

PAYMENTS_MENU_HOOK = "register_madoguchi_payments_menu_item"
