"""The 収納 (payments) menu of the staff console; the screens register themselves from
the modules of `payments.staff`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from .staff import PAYMENTS_MENU_HOOK


class PaymentsMenu(ViewSetGroup):
    """収納: shown when at least one of its screens is open to the staff member."""

    menu_label = _("収納")
    menu_icon = "doc-full"
    menu_order = 300
    submenu_hook = PAYMENTS_MENU_HOOK
    items = ()


@hooks.register("register_admin_viewset")
def register_viewsets() -> list[Any]:
    from .staff import invoice_import, invoices
    from .staff import reconciliation as reconciliation_screens
    from .staff import transfers as transfer_screens

    return [
        PaymentsMenu(),
        invoices.InvoiceViewSet(),
        invoice_import.InvoiceImportViewSet(),
        invoice_import.PaymentSettingsViewSet(),
        *transfer_screens.viewsets(),
        *reconciliation_screens.viewsets(),
    ]
