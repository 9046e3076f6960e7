"""Work with the English catalogues of madoguchi's apps.

    python scripts/po.py update <app>            # makemessages for the app (needs GNU gettext)
    python scripts/po.py untranslated <app>      # print a JSON object of msgids still to translate
    python scripts/po.py fill <app> <file.json>  # set msgstr from a JSON object {msgid: msgstr}

For plural entries the JSON key is the singular msgid and the value a list of forms.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "src" / "madoguchi"


def po_path(app: str) -> Path:
    return APPS / app / "locale" / "en" / "LC_MESSAGES" / "django.po"


def update(app: str) -> None:
    (APPS / app / "locale").mkdir(exist_ok=True)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "makemessages", "-l", "en", "--no-location", "--no-obsolete"],
        cwd=APPS / app,
        check=True,
    )


def untranslated(app: str) -> dict[str, object]:
    with po_path(app).open("rb") as fh:
        catalog = read_po(fh)
    todo: dict[str, object] = {}
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            todo[msgid] = ["", ""] if isinstance(message.id, tuple) else ""
    return todo


def fill(app: str, mapping: dict[str, object]) -> int:
    path = po_path(app)
    with path.open("rb") as fh:
        catalog = read_po(fh)
    count = 0
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        if msgid in mapping:
            value = mapping[msgid]
            message.string = tuple(value) if isinstance(message.id, tuple) else str(value)  # type: ignore[arg-type]
            message.flags.discard("fuzzy")
            count += 1
    with path.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False)
    return count


if __name__ == "__main__":
    command, app, *rest = sys.argv[1:]
    if command == "update":
        update(app)
    elif command == "untranslated":
        print(json.dumps(untranslated(app), ensure_ascii=False, indent=1))
    elif command == "fill":
        n = fill(app, json.loads(Path(rest[0]).read_text()))
        print(f"{n} entries filled")
    else:
        raise SystemExit(__doc__)
