"""One-stop life events. (Contract for the other parts; the life events part fills it
in.)"""

from __future__ import annotations

from typing import Any

from .. import formdef
from ..models import LifeEventCase


def prefill(case: LifeEventCase, definition: formdef.FormDefinition) -> dict[str, Any]:
    """Initial values for a form from the case's shared answers (by `shared` key)."""
    return {}
