"""URLs of the booking part (see urls.py)."""

from __future__ import annotations

urlpatterns: list = []
