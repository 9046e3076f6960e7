"""English is always available: every app's English catalogue is complete and compiled.

For every app under src/madoguchi with a `locale` directory:

- the English catalogue has no untranslated and no fuzzy entry;
- makemessages, run on a copy of the app (GNU gettext's xgettext, as `scripts/po.py update`
  does), finds no msgid in the code or the templates that the catalogue lacks;
- the compiled .mo file holds exactly the catalogue's translations (`make messages`).
"""

from __future__ import annotations

import gettext
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[4]
APPS_DIR = ROOT / "src" / "madoguchi"
APPS = sorted(p.parent.name for p in APPS_DIR.glob("*/locale") if p.is_dir())

MessageKey = tuple[str | None, str]


def po_path(app: str) -> Path:
    return APPS_DIR / app / "locale" / "en" / "LC_MESSAGES" / "django.po"


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


def message_key(message: object) -> MessageKey:
    msgid = message.id  # type: ignore[attr-defined]
    return message.context, (msgid[0] if isinstance(msgid, tuple) else msgid)  # type: ignore[attr-defined]


def catalogue_keys(path: Path) -> set[MessageKey]:
    if not path.exists():
        return set()
    return {message_key(m) for m in read_catalogue(path) if m.id}


def require_gettext() -> None:
    if shutil.which("xgettext") and shutil.which("msgmerge"):
        return
    message = (
        "GNU gettext (xgettext, msgmerge) is not installed; makemessages needs it. "
        ".ci/run must install the Debian package gettext."
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


# Runs makemessages for every app in one Django process, each on a copy of the app, and
# prints the msgids found per app as JSON.
_EXTRACT = """
import json, os, sys
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
from babel.messages.pofile import read_po
found = {}
for app, copy in json.loads(sys.argv[1]).items():
    os.chdir(copy)
    call_command("makemessages", locale=["en"], no_location=True, no_obsolete=True, verbosity=0)
    po = Path(copy) / "locale" / "en" / "LC_MESSAGES" / "django.po"
    keys = []
    if po.exists():
        with po.open("rb") as fh:
            for m in read_po(fh):
                if m.id:
                    keys.append([m.context, m.id[0] if isinstance(m.id, tuple) else m.id])
    found[app] = keys
print(json.dumps(found, ensure_ascii=False))
"""


def extracted(workdir: str) -> dict[str, set[MessageKey]]:
    """The msgids makemessages finds in each app's code and templates."""
    copies: dict[str, str] = {}
    for app in APPS:
        copy = Path(workdir) / app
        shutil.copytree(APPS_DIR / app, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "tests"))
        copies[app] = str(copy)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "madoguchi.settings", "MADOGUCHI_VAR_DIR": workdir}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH", "")]))
    result = subprocess.run(
        [sys.executable, "-c", _EXTRACT, json.dumps(copies)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stderr[-3000:]}"
    found = json.loads(result.stdout.strip().splitlines()[-1])
    return {app: {(ctx, msgid) for ctx, msgid in keys} for app, keys in found.items()}


@pytest.fixture(scope="module")
def found_messages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[MessageKey]]:
    require_gettext()
    return extracted(str(tmp_path_factory.mktemp("makemessages")))


def test_every_app_with_a_locale_directory_is_checked() -> None:
    assert "core" in APPS
    assert len(APPS) >= 2


@pytest.mark.parametrize("app", APPS)
def test_english_catalogue_is_complete(app: str) -> None:
    path = po_path(app)
    if not path.exists():
        pytest.skip(f"{app} has no English catalogue; the next test says whether it needs one")
    problems = []
    for message in read_catalogue(path):
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message_key(message)[1]
        if message.fuzzy:
            problems.append(f"fuzzy: {msgid}")
        elif not all(strings):
            problems.append(f"untranslated: {msgid}")
    assert not problems, (
        f"{path.relative_to(ROOT)} is incomplete (scripts/po.py untranslated {app}, then fill):\n" + "\n".join(problems)
    )


@pytest.mark.parametrize("app", APPS)
def test_every_translatable_string_is_in_the_catalogue(app: str, found_messages: dict[str, set[MessageKey]]) -> None:
    missing = sorted(found_messages[app] - catalogue_keys(po_path(app)), key=lambda k: (k[0] or "", k[1]))
    assert not missing, (
        f"{len(missing)} strings of {app} are not in {po_path(app).relative_to(ROOT)} "
        f"(run scripts/po.py update {app}, translate, fill):\n" + "\n".join(msgid for _ctx, msgid in missing)
    )


@pytest.mark.parametrize("app", APPS)
def test_compiled_catalogue_is_fresh(app: str) -> None:
    path = po_path(app)
    if not path.exists():
        pytest.skip(f"{app} has no English catalogue")
    expected: dict[object, str] = {}
    for message in read_catalogue(path):
        if not message.id or message.fuzzy:
            continue
        msgid = message_key(message)[1]
        # How gettext keys its catalogue: "context\x04msgid", and (msgid, n) for plural forms.
        full = f"{message.context}\x04{msgid}" if message.context else msgid
        if isinstance(message.id, tuple):
            expected.update({(full, n): form for n, form in enumerate(message.string) if form})
        elif message.string:
            expected[full] = message.string
    mo = path.with_suffix(".mo")
    assert mo.exists(), f"{mo.relative_to(ROOT)} is missing: run make messages (scripts/compile_messages.py)"
    with mo.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    compiled = {k: v for k, v in compiled.items() if k != ""}  # "" is the header
    stale = [str(k) for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k)]
    assert not stale, (
        f"{mo.relative_to(ROOT)} does not match its .po: run make messages (scripts/compile_messages.py).\n"
        + "\n".join(sorted(stale)[:20])
    )
