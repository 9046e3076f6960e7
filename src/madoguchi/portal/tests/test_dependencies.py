"""The portal uses the shared Japanese text tools (`madoguchi.japanese`) directly: not
through another module's re-export (procedures), and not pykakasi on its own (whose
dictionary takes half a second to load; `japanese.reading` loads it once per process)."""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest

from madoguchi.japanese import reading, search


def imported_modules(module_name: str) -> set[str]:
    """Every module the module imports, at its top or inside functions."""
    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize(
    "module_name", ["madoguchi.portal.services.dataset_listing", "madoguchi.portal.opendata.services"]
)
def test_portal_reads_and_folds_japanese_with_the_shared_tools(module_name: str) -> None:
    modules = imported_modules(module_name)
    assert not {name for name in modules if name.startswith("madoguchi.procedures")}
    assert "pykakasi" not in modules


def test_the_listing_folds_and_open_data_reads_with_madoguchi_japanese() -> None:
    from madoguchi.portal.opendata import services
    from madoguchi.portal.services import dataset_listing

    assert dataset_listing.fold is search.fold
    assert services.reading_of is reading.reading_of


def test_kana_column_of_a_title_without_reading_is_the_dictionarys_in_katakana() -> None:
    from types import SimpleNamespace

    from madoguchi.portal.opendata import services

    assert services._reading(SimpleNamespace(title="笠間稲荷神社", reading="")) == "カサマイナリジンジャ"  # type: ignore[arg-type]
    assert services._reading(SimpleNamespace(title="佐白山", reading="さしろさん")) == "サシロサン"  # type: ignore[arg-type]
