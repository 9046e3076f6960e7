"""Console screens of one part of procedures (see staff/__init__.py)."""

from __future__ import annotations

from typing import Any


def viewsets() -> list[Any]:
    return []
