"""The 電子申請 screens of the staff console, one module per part: the catalog and the
form editor (`catalog`, `editor`), the inboxes and submission handling (`inbox`), the
dashboard (`dashboard`)."""

from __future__ import annotations

PROCEDURES_MENU_HOOK = "register_procedures_menu_item"
