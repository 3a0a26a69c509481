"""`backup_site` and `restore_site`: a backup is only worth what its restore gives back.

The round trip runs on a database of its own, which Django's default connection points
to for the test: a migrated SQLite file (the suite's SQLite test database lives in
memory, where neither the WAL file path nor the backup API onto a file can be
exercised), or a fresh PostgreSQL database next to test_cityworkshop. A restore
replaces a whole database, which the suite's shared test database cannot take: inside
pytest-django's transaction it is impossible, and a transactional test would leave it
flushed (without the home page the migrations create) for the tests that follow.

Run both ways:
    .venv/bin/pytest tests/test_backup.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cityworkshop \
        .venv/bin/pytest tests/test_backup.py
"""

import hashlib
import io
import json
import os
import re
import stat
import tarfile
import tempfile

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from events.models import EditionPage, RegistrationSubmission
from events.models.form_pages import fold_for_search
from home.demo import load_demo
from home.management.commands import backup_site

from .helpers import database_of_its_own

PEOPLE = 1000


@pytest.fixture
def own_database(tmp_path, django_db_blocker):
    """Django's default connection on a freshly migrated database of the test's own;
    the suite's test database is left untouched and the connection put back after."""
    with (
        database_of_its_own("test_cityworkshop_backup", tmp_path / "site.sqlite3") as own,
        django_db_blocker.unblock(),
    ):
        call_command("migrate", verbosity=0, interactive=False)
        yield own


@pytest.fixture
def media(settings, tmp_path):
    """MEDIA_ROOT and PRIVATE_MEDIA_ROOT in the test's own folder."""
    roots = tmp_path / "media", tmp_path / "private_media"
    for root in roots:
        root.mkdir()
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = roots
    return roots


def row_counts():
    """{table: rows} of every table, counted through Django's connection."""
    connection = connections[DEFAULT_DB_ALIAS]
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def file_hashes(*roots):
    """{(root, relative path): sha256} of every file under the roots."""
    return {
        (root.name, path.relative_to(root).as_posix()): hashlib.sha256(
            path.read_bytes()
        ).hexdigest()
        for root in roots
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.mark.slow
def test_a_restore_gives_back_every_row_and_every_file(own_database, media, tmp_path, monkeypatch):
    media_root, private_root = media
    load_demo()
    form = EditionPage.objects.get(slug="2017").registration_page
    answers = [
        {"name": f"Учасник {number}", "email": f"person{number}@example.org"}
        for number in range(PEOPLE)
    ]
    RegistrationSubmission.objects.bulk_create(
        RegistrationSubmission(
            page=form,
            form_data=answer,
            email=answer["email"],
            search_text=fold_for_search(answer),
        )
        for answer in answers
    )
    attachment = private_root / "questionnaire" / "2017" / "proekt-skveru.pdf"
    attachment.parent.mkdir(parents=True)
    attachment.write_bytes(b"%PDF-1.4 a project for the square\n" + os.urandom(4096))
    rows, files = row_counts(), file_hashes(media_root, private_root)
    registrations = RegistrationSubmission._meta.db_table
    assert rows[registrations] == PEOPLE
    assert any(name == "media" for name, _ in files)
    assert ("private_media", "questionnaire/2017/proekt-skveru.pdf") in files

    archive = tmp_path / "backups" / "site.tar.gz"
    out = io.StringIO()
    call_command("backup_site", "--output", str(archive), stdout=out)
    path, summary = out.getvalue().splitlines()
    assert path == str(archive)
    assert f"{sum(rows.values())} rows" in summary
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # personal data
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = tar.getnames()
    assert manifest["database"]["vendor"] == own_database.vendor
    assert manifest["tables"] == rows
    assert manifest["database"]["file"] in names
    assert "private_media/questionnaire/2017/proekt-skveru.pdf" in names

    # Damage: the registrations gone, an image lost, stray files in both folders.
    RegistrationSubmission.objects.all().delete()
    next(media_root.rglob("*.png")).unlink()
    (media_root / "stray.txt").write_text("not in the backup")
    (private_root / "questionnaire" / "stray.pdf").write_bytes(b"%PDF-1.4 stray")
    assert row_counts()[registrations] == 0
    assert file_hashes(media_root, private_root) != files

    # Another connection stays open, as the running site's would.
    site = own_database.copy()
    with site.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {registrations}")  # noqa: S608
        assert cursor.fetchone()[0] == 0

    # Without --no-input it asks, and anything but "yes" changes nothing.
    questions = []
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or "y")
    with pytest.raises(CommandError, match="Restore cancelled: nothing was changed"):
        call_command("restore_site", str(archive), stdout=io.StringIO())
    assert questions == ["This replaces the database and media files. Type 'yes' to continue: "]
    assert row_counts()[registrations] == 0

    cache.set("site_root_paths", "of the replaced database")
    connections.close_all()
    out = io.StringIO()
    call_command("restore_site", str(archive), "--no-input", stdout=out)
    assert "Restored" in out.getvalue()
    assert cache.get("site_root_paths") is None

    assert row_counts() == rows
    assert RegistrationSubmission.objects.filter(page=form).count() == PEOPLE
    assert file_hashes(media_root, private_root) == files
    with site.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {registrations}")  # noqa: S608
        assert cursor.fetchone()[0] == PEOPLE
    site.close()


# --------------------------------------------------------------------------------------
# Archives that a restore refuses before it touches anything (no database access at
# all: pytest-django would fail these tests on any query).
# --------------------------------------------------------------------------------------


def this_vendor():
    return connections[DEFAULT_DB_ALIAS].vendor


def make_archive(path, files, vendor=None, manifest=True, extra=()):
    """A .tar.gz with a manifest for vendor (default: this site's), the given files
    {name: bytes}, and extra TarInfo members as they are."""
    vendor = vendor or this_vendor()
    database_file = backup_site.DATABASE_FILES[vendor]
    files = {database_file: b"not really a database", **files}
    if manifest:
        files[backup_site.MANIFEST_NAME] = json.dumps(
            {
                "format": backup_site.FORMAT_VERSION,
                "created_at": "2017-06-12T08:00:00+00:00",
                "database": {"vendor": vendor, "file": database_file},
                "tables": {"auth_user": 1},
                "files": {"media": 0, "private_media": 0},
            }
        ).encode()
    with tarfile.open(path, "w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
        for info in extra:
            tar.addfile(info, io.BytesIO(b"x" * info.size) if info.isreg() else None)
    return path


@pytest.fixture
def untouchable(media, tmp_path, monkeypatch):
    """Media folders with a file each that must survive, and the temporary folder deep
    inside tmp_path, so that a member escaping it would still land where we look."""
    for root in media:
        (root / "keep.txt").write_text("still here")
    work = tmp_path / "work" / "tmp"
    work.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(work))
    yield
    for root in media:
        assert (root / "keep.txt").read_text() == "still here"
    assert not [path for path in tmp_path.rglob("*evil*") if path.suffix != ".gz"]
    assert not list(work.iterdir())


def evil_file(name, content=b"pwned"):
    info = tarfile.TarInfo(name)
    info.size = len(content)
    return info


def evil_link(name, target="/etc/passwd", kind=tarfile.SYMTYPE):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (evil_file("../evil"), "climbs out of the folder with '..'"),
        (evil_file("media/../../evil"), "climbs out of the folder with '..'"),
        (evil_file("/evil-absolute"), "is an absolute path"),
        (evil_file("elsewhere/evil"), "is not part of a site backup"),
        (evil_link("media/evil-link"), "is a link or a special file"),
        (evil_link("media/evil-hardlink", kind=tarfile.LNKTYPE), "is a link or a special file"),
    ],
)
def test_a_restore_refuses_a_member_that_could_land_outside(tmp_path, untouchable, member, reason):
    archive = make_archive(tmp_path / "evil.tar.gz", {"media/a.png": b"png"}, extra=[member])
    with pytest.raises(CommandError, match=re.escape(f"its member '{member.name}' {reason}")):
        call_command("restore_site", str(archive), "--no-input")


def test_a_restore_refuses_an_archive_of_the_other_database(tmp_path, untouchable):
    other = "sqlite" if this_vendor() == "postgresql" else "postgresql"
    archive = make_archive(tmp_path / "other.tar.gz", {}, vendor=other)
    with pytest.raises(CommandError, match="only be restored onto the same kind of database"):
        call_command("restore_site", str(archive), "--no-input")


def test_a_restore_refuses_an_archive_without_manifest(tmp_path, untouchable):
    archive = make_archive(tmp_path / "plain.tar.gz", {"media/a.png": b"png"}, manifest=False)
    with pytest.raises(CommandError, match="has no manifest.json: it was not made by backup_site"):
        call_command("restore_site", str(archive), "--no-input")


def test_a_restore_refuses_what_is_not_an_archive(tmp_path, untouchable):
    archive = tmp_path / "notes.tar.gz"
    archive.write_text("just text")
    with pytest.raises(CommandError, match="is not a readable .tar.gz archive"):
        call_command("restore_site", str(archive), "--no-input")


# --------------------------------------------------------------------------------------
# Finding pg_dump and pg_restore of the server's major version.
# --------------------------------------------------------------------------------------


class FakePostgres:
    pg_version = 150020  # what psycopg reports for PostgreSQL 15.20


def fake_tool(folder, name, version):
    tool = folder / name
    tool.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version}'\n")
    tool.chmod(0o755)
    return tool


def test_pg_bin_dir_gives_the_tool_of_the_server_s_version(settings, tmp_path):
    settings.PG_BIN_DIR = str(tmp_path)
    tool = fake_tool(tmp_path, "pg_dump", "15.3")
    assert backup_site.postgres_tool("pg_dump", FakePostgres()) == str(tool)


def test_a_tool_of_another_major_version_is_refused(settings, tmp_path):
    settings.PG_BIN_DIR = str(tmp_path)
    fake_tool(tmp_path, "pg_restore", "14.11")
    with pytest.raises(CommandError, match=r"No pg_restore for PostgreSQL 15 .* found only"):
        backup_site.postgres_tool("pg_restore", FakePostgres())


def test_a_missing_tool_says_where_it_looked(settings, tmp_path):
    settings.PG_BIN_DIR = str(tmp_path)
    with pytest.raises(CommandError, match=r"No pg_dump for PostgreSQL 15 in PG_BIN_DIR"):
        backup_site.postgres_tool("pg_dump", FakePostgres())


def test_a_backup_is_never_written_where_the_web_server_publishes_it(media, tmp_path):
    with pytest.raises(CommandError, match="Do not write the backup inside"):
        call_command("backup_site", "--output", str(media[0] / "site.tar.gz"))
