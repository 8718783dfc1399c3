"""Fail when a user-facing string has no Simplified Chinese translation.

Extracts the strings afresh (makemessages) into a copy of the catalogue, so a string added to
the code but not to gigunion/locale shows up here, then checks that every entry is
translated and none is fuzzy. The checked-in catalogue is not modified.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "gigunion" / "locale"
# gigunion/locale is ignored so makemessages writes to the copy (LOCALE_PATHS), never the real catalogue.
IGNORE = [".venv/*", "node_modules/*", "var/*", "tests/*", "bench/*", "scripts/*", "gigunion/locale"]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "locale"
        shutil.copytree(CATALOGUE, copy)
        env = {**os.environ, "GIGUNION_LOCALE_DIR": str(copy), "DJANGO_SETTINGS_MODULE": "gigunion.settings"}
        command = [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location", "--no-wrap"]
        for pattern in IGNORE:
            command += ["-i", pattern]
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
        catalogue = polib.pofile(str(copy / "zh_Hans" / "LC_MESSAGES" / "django.po"))
        problems = [f"untranslated: {entry.msgid!r}" for entry in catalogue.untranslated_entries()]
        problems += [f"fuzzy: {entry.msgid!r}" for entry in catalogue.fuzzy_entries()]
        checked_in = {entry.msgid for entry in polib.pofile(str(CATALOGUE / "zh_Hans" / "LC_MESSAGES" / "django.po"))}
        problems += [
            f"not in gigunion/locale yet: {entry.msgid!r}"
            for entry in catalogue
            if entry.msgid not in checked_in and not entry.obsolete
        ]
    if problems:
        print(
            "Translations are incomplete (run `make translations`, then translate the new entries in gigunion/locale and check every fuzzy guess):"
        )
        print("\n".join(f"  {problem}" for problem in problems))
        return 1
    print(f"translations: {len(checked_in)} strings, all translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
