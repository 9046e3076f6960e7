"""Compile the .po catalogues of madoguchi into .mo files with Babel (no GNU gettext
needed on the machine)."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

root = Path(__file__).resolve().parent.parent / "src" / "madoguchi"
for po_path in sorted(root.glob("*/locale/*/LC_MESSAGES/*.po")):
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        continue
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    with mo_path.open("wb") as fh:
        write_mo(fh, catalog, use_fuzzy=False)
    print(f"compiled {mo_path.relative_to(root.parent.parent)}")
