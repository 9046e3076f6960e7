"""URLs of the catalog part (see urls.py)."""

from __future__ import annotations

urlpatterns: list = []
