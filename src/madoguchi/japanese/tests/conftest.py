from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _japanese_by_default() -> Iterator[None]:
    """Messages are compared in Japanese unless a test asks for English; a request to an
    /en/ page earlier in the same thread must not change that."""
    with translation.override("ja"):
        yield
