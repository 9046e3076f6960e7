"""URLs of the lottery part (see urls.py)."""

from __future__ import annotations

urlpatterns: list = []
