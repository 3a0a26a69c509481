"""Every string of the project has its Ukrainian translation, compiled."""

import ast
import gettext
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from django.utils import translation

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = [ROOT / "locale", ROOT / "locale_admin"]
# What a copy of the project needs for makemessages: its code and templates, and the
# catalogue it merges into; not the virtualenv, the tests or the other catalogues.
NOT_SCANNED = (".venv", "node_modules", ".git", "tests", "docs", "media", "staticfiles")
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (\".*\")$")


def read_po(path):
    """Entries of a .po file as dicts of keyword -> text (obsolete entries skipped)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, key = {"fuzzy": False}, None
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                entry["fuzzy"] = True
            elif match := KEYWORD.match(line):
                key = match[1]
                entry[key] = ast.literal_eval(match[2])
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def po_files():
    return sorted(path for root in CATALOGUES for path in root.glob("uk/LC_MESSAGES/*.po"))


def test_no_string_is_left_untranslated_or_fuzzy():
    problems = [
        f"{path.relative_to(ROOT)}: {entry['msgid']!r}"
        for path in po_files()
        for entry in read_po(path)
        if entry["fuzzy"]
        or not all(value for key, value in entry.items() if key.startswith("msgstr"))
    ]
    assert problems == []


def test_compiled_catalogues_match_their_sources():
    for path in po_files():
        with path.with_suffix(".mo").open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        for entry in read_po(path):
            msgid = entry["msgid"]
            if "msgctxt" in entry:
                msgid = f"{entry['msgctxt']}\x04{msgid}"
            if "msgid_plural" in entry:
                assert compiled._catalog[(msgid, 0)] == entry["msgstr[0]"], path
            else:
                assert compiled._catalog[msgid] == entry["msgstr"], (path, msgid)


def test_the_site_speaks_ukrainian():
    with translation.override("uk"):
        assert translation.gettext("City Workshop") == "Майстерня міста"
        assert translation.gettext("Search all pages…") != "Search all pages…"


def makemessages_arguments():
    """The arguments `make messages` gives makemessages, read from the Makefile so that
    this test runs what the developers run."""
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if "makemessages" in line:
            return shlex.split(line.split("makemessages", 1)[1])
    raise AssertionError("the Makefile's messages target runs no makemessages")


def test_every_string_of_the_code_has_its_ukrainian(tmp_path):
    """makemessages, run as `make messages` runs it on a copy of the project, finds no
    string of the code or templates without its Ukrainian: one added without running
    `make messages` (or left without its msgstr, or fuzzy) fails here by its msgid. The
    copy gets one such string of its own, which must be the only one found."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_SCANNED, "__pycache__"))
    probe = "A string nobody translated"
    (copy / "home" / "untranslated_probe.py").write_text(
        f'from django.utils.translation import gettext_lazy as _\n\nPROBE = _("{probe}")\n',
        encoding="utf-8",
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", *makemessages_arguments()],
        cwd=copy,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test"},
        check=True,
        capture_output=True,
    )
    entries = read_po(copy / "locale" / "uk" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 300
    lacking = [
        entry["msgid"]
        for entry in entries
        if entry["fuzzy"]
        or not all(value for key, value in entry.items() if key.startswith("msgstr"))
    ]
    assert lacking == [probe]
