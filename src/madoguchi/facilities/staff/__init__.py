"""The 施設予約 screens of the staff console, one module per part: facilities, units,
fees and closures (`setup`), bookings at the counter, check-in and the booking list
(`bookings`), registrations (`registrations`), lotteries (`lotteries`), usage statistics
(`statistics`)."""

from __future__ import annotations

FACILITIES_MENU_HOOK = "register_facilities_menu_item"
