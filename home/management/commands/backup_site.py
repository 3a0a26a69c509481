"""`manage.py backup_site`: the whole site in one file that `restore_site` puts back.

A Wagtail site is its database and its files together: pages, revisions and form
submissions live in the database, the images and documents they point to under
MEDIA_ROOT, the questionnaire attachments under PRIVATE_MEDIA_ROOT. A backup of one
without the other restores a broken site, so both go into one archive:

    manifest.json           format, database vendor, time, row count of every table
    database/db.dump        PostgreSQL: pg_dump --format=custom
    database/db.sqlite3     SQLite: a copy made with SQLite's online backup API
    media/...               everything under MEDIA_ROOT
    private_media/...       everything under PRIVATE_MEDIA_ROOT

The database is copied with the database's own tools, not with `dumpdata` (which
cannot reload a Wagtail site faithfully: tree paths, revisions, sequences), and from
a consistent snapshot while the site keeps writing: pg_dump runs in the snapshot in
which the rows are counted; SQLite's backup API reads one consistent state of a WAL
database. The row counts let `restore_site` check its own work.

The helpers that `restore_site` shares (finding pg_dump/pg_restore, counting rows,
the media folders) live here too.
"""

import datetime
import glob
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATABASE_FILES = {"postgresql": "database/db.dump", "sqlite": "database/db.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# The folder in the archive → the setting that names the folder on disk.
MEDIA_FOLDERS = {"media": "MEDIA_ROOT", "private_media": "PRIVATE_MEDIA_ROOT"}
# How long to wait for a lock on an SQLite database that the site is writing to.
SQLITE_TIMEOUT_SECONDS = 60


def default_connection():
    """The database the site uses. Its settings_dict is settings.DATABASES["default"]
    (under the test runner, with the test database's name)."""
    return connections[DEFAULT_DB_ALIAS]


def check_vendor(connection, action="back up"):
    if connection.vendor not in DATABASE_FILES:
        raise CommandError(f"Backups support PostgreSQL and SQLite, not {connection.display_name}.")
    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        if connection.creation.is_in_memory_db(name):
            raise CommandError(f"The SQLite database is in memory: there is no file to {action}.")


def media_roots():
    """{folder in the archive: folder on disk}, refusing a setting that would take in
    (and on restore, empty) the project itself."""
    base_dir = Path(settings.BASE_DIR).resolve()
    roots = {}
    for folder, setting in MEDIA_FOLDERS.items():
        value = getattr(settings, setting, None)
        if not value:
            raise CommandError(f"Set {setting}: the backup needs to know where the files are.")
        root = Path(value).resolve()
        if base_dir.is_relative_to(root):
            raise CommandError(
                f"{setting} ({root}) contains the project folder: refusing to back it up "
                "or to empty it."
            )
        roots[folder] = root
    return roots


def media_tree(root, skip=()):
    """(folders, files, skipped) under root: the relative paths of the folders and of
    the regular files, leaving out the folders in skip, and the number of links and
    special files left out (a restore would refuse them)."""
    folders, files, skipped = [], [], 0
    if not root.is_dir():
        return folders, files, skipped
    for folder, subfolders, names in os.walk(root):
        here = Path(folder)
        kept = []
        for name in sorted(subfolders):
            path = here / name
            if path.is_symlink():
                skipped += 1
            elif path.resolve() not in skip:
                kept.append(name)
                folders.append(path.relative_to(root))
        subfolders[:] = kept
        for name in sorted(names):
            path = here / name
            if path.is_file() and not path.is_symlink():
                files.append(path.relative_to(root))
            else:
                skipped += 1
    return folders, files, skipped


def count_rows(connection, tables, sqlite_file=None):
    """{table: rows}. Counted on the given SQLite file when there is one (the copy in
    the archive), else through Django's connection."""
    quote = connection.ops.quote_name
    if sqlite_file:
        database = sqlite3.connect(sqlite_file)
        try:
            return {
                table: database.execute(f"SELECT COUNT(*) FROM {quote(table)}").fetchone()[0]  # noqa: S608
                for table in tables
            }
        finally:
            database.close()
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
        return counts


def postgres_major(connection):
    return connection.pg_version // 10000


def postgres_tool(name, connection):
    """The path of pg_dump or pg_restore whose major version is the server's: a dump
    is only reliable with the server's own version of the tools. Looks in PG_BIN_DIR
    when it is set, else on PATH, then in /usr/lib/postgresql/*/bin (Debian, Ubuntu)."""
    server = postgres_major(connection)
    bin_dir = getattr(settings, "PG_BIN_DIR", None)
    if bin_dir:
        candidates = [str(Path(bin_dir) / name)]
    else:
        candidates = [shutil.which(name)]
        candidates += sorted(
            glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
            key=lambda path: [int(part) for part in re.findall(r"\d+", path)],
            reverse=True,
        )
    found = []
    for candidate in dict.fromkeys(path for path in candidates if path):
        if not os.access(candidate, os.X_OK):
            continue
        try:
            output = subprocess.run(  # noqa: S603 (a list, no shell, a found executable)
                [candidate, "--version"], check=True, capture_output=True, text=True
            ).stdout
        except (OSError, subprocess.CalledProcessError):
            continue
        match = re.search(r"(\d+)(?:\.\d+)*", output)
        if match and int(match.group(1)) == server:
            return candidate
        found.append(f"{candidate} ({output.strip()})")
    where = f"PG_BIN_DIR ({bin_dir})" if bin_dir else "PATH or /usr/lib/postgresql/*/bin"
    raise CommandError(
        f"No {name} for PostgreSQL {server} in {where}"
        + (f"; found only {', '.join(found)}" if found else "")
        + f". Install the PostgreSQL {server} client tools, or set PG_BIN_DIR to their folder."
    )


def postgres_arguments(connection):
    """The connection arguments of pg_dump and pg_restore, and their environment: the
    password goes in PGPASSWORD, never on a command line (which `ps` shows)."""
    database = connection.settings_dict
    arguments = []
    if database.get("HOST"):
        arguments.append(f"--host={database['HOST']}")
    if database.get("PORT"):
        arguments.append(f"--port={database['PORT']}")
    if database.get("USER"):
        arguments.append(f"--username={database['USER']}")
    arguments.append("--no-password")  # fail rather than wait for someone to type it
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    if sslmode := database.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return arguments, env


def run_tool(command, env):
    """Run a PostgreSQL client tool; its error output becomes the CommandError."""
    try:
        subprocess.run(command, check=True, env=env, capture_output=True, text=True)  # noqa: S603
    except subprocess.CalledProcessError as error:
        detail = (error.stderr or error.stdout or "").strip()
        raise CommandError(
            f"{Path(command[0]).name} failed (exit status {error.returncode}):\n{detail}"
        ) from error


def plural(count, word):
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def contents(vendor, tables, files):
    """ "the SQLite database (76 tables, 998 rows), 12 media files and 1 private file"."""
    return (
        f"the {VENDOR_NAMES[vendor]} database ({plural(len(tables), 'table')}, "
        f"{plural(sum(tables.values()), 'row')}), {plural(files['media'], 'media file')} "
        f"and {plural(files['private_media'], 'private file')}"
    )


def human_size(size):
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.1f} {unit}" if unit != "B" else f"{size} B"
        size /= 1024
    return f"{size:.1f} GB"


class Command(BaseCommand):
    help = (
        "Back up the site into one .tar.gz archive: the database (pg_dump or SQLite's "
        "backup API), MEDIA_ROOT and PRIVATE_MEDIA_ROOT, and a manifest with the row "
        "count of every table. `restore_site` puts it back."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="PATH",
            help=(
                "The archive to write (default: backups/cityworkshop-<UTC time>.tar.gz in "
                "the project folder). An existing folder: the default name in it."
            ),
        )

    def handle(self, *args, **options):
        connection = default_connection()
        roots = media_roots()
        output = self.output_path(options["output"], roots)
        check_vendor(connection)
        output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)

        partial = output.with_name(f".{output.name}.partial")
        with tempfile.TemporaryDirectory(prefix=".backup_site-", dir=output.parent) as work:
            database_file = Path(work) / Path(DATABASE_FILES[connection.vendor]).name
            if connection.vendor == "postgresql":
                counts = self.dump_postgres(connection, database_file)
            else:
                counts = self.copy_sqlite(connection, database_file)
            media = {
                folder: media_tree(root, skip={other for other in roots.values() if other != root})
                for folder, root in roots.items()
            }
            manifest = {
                "format": FORMAT_VERSION,
                "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "database": {
                    "vendor": connection.vendor,
                    "file": DATABASE_FILES[connection.vendor],
                },
                "tables": counts,
                "files": {folder: len(files) for folder, (_, files, _) in media.items()},
            }
            try:
                self.write_archive(partial, manifest, database_file, roots, media)
                os.replace(partial, output)
            finally:
                partial.unlink(missing_ok=True)

        self.stdout.write(str(output))
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {contents(connection.vendor, counts, manifest['files'])}: "
                f"{human_size(output.stat().st_size)}."
            )
        )
        for folder, (_, _, skipped) in media.items():
            if skipped:
                self.stderr.write(
                    f"Left out {skipped} links or special files under "
                    f"{MEDIA_FOLDERS[folder]} ({roots[folder]}): a restore accepts only "
                    "plain files and folders."
                )

    def output_path(self, option, roots):
        timestamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        name = f"cityworkshop-{timestamp}.tar.gz"
        if option is None:
            output = Path(settings.BASE_DIR) / "backups" / name
        else:
            output = Path(option).expanduser()
            if output.is_dir():
                output = output / name
        output = output.absolute()
        if output.exists():
            raise CommandError(f"{output} exists already: choose another --output.")
        for root in roots.values():
            if output.resolve().is_relative_to(root):
                # The web server publishes MEDIA_ROOT; an archive of personal data must
                # never land there (nor inside what it is archiving).
                raise CommandError(f"Do not write the backup inside {root}.")
        return output

    def dump_postgres(self, connection, database_file):
        """pg_dump, in the very snapshot in which the rows are counted, so the counts
        describe the dump even while people keep registering."""
        if connection.in_atomic_block:
            raise CommandError("Run backup_site outside a transaction.")
        pg_dump = postgres_tool("pg_dump", connection)
        arguments, env = postgres_arguments(connection)
        tables = connection.introspection.table_names()
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            counts = count_rows(connection, tables)
            run_tool(
                [
                    pg_dump,
                    *arguments,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={database_file}",
                    f"--dbname={connection.settings_dict['NAME']}",
                ],
                env,
            )
        return counts

    def copy_sqlite(self, connection, database_file):
        """SQLite's online backup API: one consistent copy of a database in WAL mode,
        however busy (copying the file itself could miss what is still in the -wal)."""
        name = connection.settings_dict["NAME"]
        if not Path(name).is_file():
            raise CommandError(f"There is no SQLite database at {name}.")
        tables = connection.introspection.table_names()
        source = sqlite3.connect(name, timeout=SQLITE_TIMEOUT_SECONDS)
        target = sqlite3.connect(database_file)
        try:
            source.backup(target)
            # A file that stands alone, without -wal and -shm companions.
            target.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.Error as error:
            raise CommandError(f"Could not copy the SQLite database {name}: {error}") from error
        finally:
            target.close()
            source.close()
        return count_rows(connection, tables, sqlite_file=database_file)

    def write_archive(self, path, manifest, database_file, roots, media):
        """The archive, readable by its owner only: it holds personal data."""
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            os.fdopen(descriptor, "wb") as raw,
            tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar,
        ):
            manifest_file = database_file.with_name(MANIFEST_NAME)
            manifest_file.write_text(json.dumps(manifest, indent=2, sort_keys=True))
            tar.add(manifest_file, arcname=MANIFEST_NAME)
            tar.add(database_file, arcname=manifest["database"]["file"])
            for folder, root in roots.items():
                top = tarfile.TarInfo(folder)
                top.type, top.mode = tarfile.DIRTYPE, 0o755
                top.mtime = int(manifest_file.stat().st_mtime)
                tar.addfile(top)
                folders, files, _ = media[folder]
                for relative in [*folders, *files]:
                    try:
                        tar.add(root / relative, f"{folder}/{relative.as_posix()}", recursive=False)
                    except FileNotFoundError:
                        # Deleted by the site since the folder was listed: nothing to keep.
                        self.stderr.write(f"{root / relative} vanished during the backup.")
