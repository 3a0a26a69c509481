"""`manage.py restore_site PATH`: put back a site saved by `backup_site`.

A restore replaces everything, so it refuses what it cannot restore faithfully before
it touches anything: a file without manifest (not one of our backups), an archive of
the other database vendor (a pg_dump does not load into SQLite, nor the reverse), and
any member that could land outside the folder it is unpacked into (an absolute path,
`..`, a link). Members are checked and written one by one here rather than trusted to
tarfile's extraction filters, which not every Python 3.11 patch release has.

The database goes back with the database's own tools: pg_restore in one transaction
(all or nothing) for PostgreSQL, SQLite's backup API for SQLite (safe even while
another process has the database open in WAL mode). The media folders then get
exactly the archive's files, and the row count of every table is compared with the
manifest: a restore that does not match says so and fails.
"""

import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path, PurePosixPath, PureWindowsPath

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.module_loading import import_string
from redis.exceptions import RedisError

from cms.cache import site_caches, without_password

from .backup_site import (
    FORMAT_VERSION,
    MANIFEST_NAME,
    MEDIA_FOLDERS,
    SQLITE_TIMEOUT_SECONDS,
    VENDOR_NAMES,
    check_vendor,
    contents,
    count_rows,
    default_connection,
    media_roots,
    media_tree,
    plural,
    postgres_arguments,
    postgres_tool,
    run_tool,
)

CONFIRMATION = "This replaces the database and media files. Type 'yes' to continue: "
TOP_LEVEL = {MANIFEST_NAME, "database", *MEDIA_FOLDERS}


def normalised(name):
    """A member's name as a relative POSIX path ("./media/a" is "media/a"; "" for the
    archive's own root)."""
    return "/".join(PurePosixPath(name).parts)


def member_name(member):
    return normalised(member.name)


def unsafe_reason(member):
    """Why the member may not be unpacked, or None."""
    name = member.name
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    if "\x00" in name:
        return "has a NUL character in its name"
    if posix.is_absolute() or windows.is_absolute() or windows.drive or name.startswith("\\"):
        return "is an absolute path"
    if ".." in posix.parts or ".." in windows.parts:
        return "climbs out of the folder with '..'"
    if not (member.isreg() or member.isdir()):
        return "is a link or a special file"
    if posix.parts and posix.parts[0] not in TOP_LEVEL:
        return "is not part of a site backup"
    return None


def archived_files(members):
    """{media folder: how many files the archive holds for it}."""
    return {
        folder: sum(
            1
            for member in members
            if member.isreg() and member_name(member).startswith(f"{folder}/")
        )
        for folder in MEDIA_FOLDERS
    }


def empty_folder(root, keep=()):
    """Remove everything inside root (not root itself: it may be a mount point with its
    own owner and permissions), except the folders in keep."""
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            if child.resolve() not in keep:
                shutil.rmtree(child)
        else:
            child.unlink()


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_site: replace the database, MEDIA_ROOT and "
        "PRIVATE_MEDIA_ROOT with the archive's, then check every table's row count "
        "against the archive's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="The archive made by backup_site.")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, **options):
        connection = default_connection()
        roots = media_roots()
        archive = Path(options["path"]).expanduser()
        if not archive.is_file():
            raise CommandError(f"There is no file {archive}.")
        try:
            tar = tarfile.open(archive, "r:*")  # noqa: SIM115 (closed by the with below)
        except (tarfile.TarError, OSError, EOFError) as error:
            raise CommandError(f"{archive} is not a readable .tar.gz archive: {error}") from error

        with tar:
            try:
                members = tar.getmembers()
            except (tarfile.TarError, OSError, EOFError) as error:
                raise CommandError(f"{archive} is damaged: {error}") from error
            manifest = self.read_manifest(archive, tar, members, connection)
            check_vendor(connection, "restore into")
            if connection.in_atomic_block:
                raise CommandError("Run restore_site outside a transaction.")
            pg_restore = (
                postgres_tool("pg_restore", connection)
                if connection.vendor == "postgresql"
                else None
            )
            self.describe(archive, manifest, connection, roots)
            if options["interactive"] and input(CONFIRMATION).strip() != "yes":
                raise CommandError("Restore cancelled: nothing was changed.")

            with tempfile.TemporaryDirectory(prefix="restore_site-") as staging:
                staging = Path(staging).resolve()
                self.extract(tar, members, staging)
                database_file = staging / normalised(manifest["database"]["file"])
                if connection.vendor == "postgresql":
                    self.restore_postgres(connection, pg_restore, database_file)
                else:
                    self.restore_sqlite(connection, database_file)
                self.restore_media(staging, roots)

        self.verify(manifest, members, roots)
        shared, failures = self.empty_caches()
        files = archived_files(members)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {contents(connection.vendor, manifest['tables'], files)} from "
                f"{archive}, made {manifest.get('created_at', '(time unknown)')}, and emptied "
                + (f"the caches (Redis at {', '.join(shared)}). " if shared else "the caches. ")
                + "Restart the site so that no process keeps what it holds in memory from "
                "the replaced data."
            )
        )
        if failures:
            raise CommandError(
                "The database and the files are restored, but the site's cache "
                + "; ".join(failures)
                + ". Empty it (FLUSHDB on that Redis database) before the site serves the "
                "replaced pages."
            )

    def empty_caches(self):
        """What the caches hold describes the replaced data (Wagtail's site root paths,
        whole pages): empty this process's caches and the running site's shared ones,
        those its environment defines (REDIS_URL, REDIS_PAGE_CACHE_URL: see
        cms.cache.site_caches), whatever settings this command runs with: `make restore`
        runs the development settings, whose page cache is a dummy, while the site
        keeps its pages in Redis. Each app server's local-memory cache only goes when
        it restarts. Returns the Redis locations emptied and what could not be."""
        for alias in settings.CACHES:
            if not isinstance(caches[alias], RedisCache):
                caches[alias].clear()  # this process's own memory
        redis_caches = [
            config
            for config in [*settings.CACHES.values(), *site_caches(os.environ).values()]
            if issubclass(import_string(config["BACKEND"]), RedisCache)
        ]
        shared, failures = [], []
        for config in redis_caches:
            location = without_password(config["LOCATION"])
            if location in shared:
                continue
            params = {key: value for key, value in config.items() if key != "LOCATION"}
            backend = import_string(config["BACKEND"])(config["LOCATION"], params)
            try:
                # Django's own clear (the resilient backend's would let a failure pass).
                RedisCache.clear(backend)
            except RedisError as error:
                failures.append(f"at {location} could not be emptied ({error})")
            else:
                shared.append(location)
        return shared, failures

    def read_manifest(self, archive, tar, members, connection):
        """The manifest, once every member is known to be safe and the archive to be
        one this site can restore."""
        for member in members:
            if reason := unsafe_reason(member):
                raise CommandError(
                    f"Refusing to restore {archive}: its member {member.name!r} {reason}."
                )
        by_name = {member_name(member): member for member in members}
        if MANIFEST_NAME not in by_name or not by_name[MANIFEST_NAME].isreg():
            raise CommandError(
                f"{archive} has no {MANIFEST_NAME}: it was not made by backup_site, so it "
                "cannot be restored."
            )
        try:
            with tar.extractfile(by_name[MANIFEST_NAME]) as file:
                manifest = json.load(file)
            vendor = manifest["database"]["vendor"]
            database_file = manifest["database"]["file"]
            tables = manifest["tables"]
        except (ValueError, KeyError, TypeError) as error:
            raise CommandError(
                f"The {MANIFEST_NAME} of {archive} is unreadable: {error}"
            ) from error
        if manifest.get("format") != FORMAT_VERSION:
            raise CommandError(
                f"{archive} is in backup format {manifest.get('format')!r}; this version of "
                f"restore_site reads format {FORMAT_VERSION}."
            )
        if vendor != connection.vendor:
            raise CommandError(
                f"{archive} is a backup of a database on {VENDOR_NAMES.get(vendor, vendor)}, "
                f"but this site runs on {connection.display_name}: a backup can only "
                "be restored onto the same kind of database."
            )
        if not (isinstance(database_file, str) and database_file.startswith("database/")):
            raise CommandError(f"The {MANIFEST_NAME} of {archive} names no database file.")
        member = by_name.get(normalised(database_file))
        if member is None or not member.isreg():
            raise CommandError(f"{archive} lacks its database file {database_file}.")
        if not isinstance(tables, dict) or not all(
            isinstance(count, int) for count in tables.values()
        ):
            raise CommandError(f"The {MANIFEST_NAME} of {archive} has no valid row counts.")
        return manifest

    def describe(self, archive, manifest, connection, roots):
        database = connection.settings_dict
        self.stdout.write(
            f"Archive: {archive}, made {manifest.get('created_at', '(time unknown)')}: "
            f"{plural(len(manifest['tables']), 'table')}, "
            f"{plural(sum(manifest['tables'].values()), 'row')}.\n"
            f"Restoring into the {VENDOR_NAMES[connection.vendor]} database "
            f"{database['NAME']}"
            + (f" on {database['HOST']}" if database.get("HOST") else "")
            + "".join(f", {MEDIA_FOLDERS[folder]} {root}" for folder, root in roots.items())
            + "."
        )

    def extract(self, tar, members, staging):
        """Write the members into staging, one by one: regular files and folders only,
        and each checked to stay inside staging."""
        folders = []
        for member in members:
            name = member_name(member)
            if not name:
                continue
            target = (staging / name).resolve()
            if not target.is_relative_to(staging) or target == staging:
                raise CommandError(f"Refusing the member {member.name!r}: it leaves {staging}.")
            try:
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                    folders.append((target, member))
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as source, open(target, "wb") as file:
                    shutil.copyfileobj(source, file)
                os.chmod(target, (member.mode & 0o777) | 0o600)
                os.utime(target, (member.mtime, member.mtime))
            except (OSError, tarfile.TarError) as error:
                raise CommandError(f"Could not unpack {member.name!r}: {error}") from error
        for target, member in reversed(folders):
            os.chmod(target, (member.mode & 0o777) | 0o700)
            os.utime(target, (member.mtime, member.mtime))

    def restore_postgres(self, connection, pg_restore, dump):
        """pg_restore in one transaction: on any error the database stays as it was.
        Django's connections are closed first, or DROP TABLE would wait for them."""
        arguments, env = postgres_arguments(connection)
        name = connection.settings_dict["NAME"]
        connections.close_all()
        run_tool(
            [
                pg_restore,
                *arguments,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                f"--dbname={name}",
                str(dump),
            ],
            env,
        )

    def restore_sqlite(self, connection, copy):
        """SQLite's backup API copies the archived database over the configured one
        page by page under SQLite's own locks, so a process that has it open (in WAL
        mode) sees either the old database or the new one, never a torn file."""
        name = connection.settings_dict["NAME"]
        source = sqlite3.connect(copy)
        try:
            status = source.execute("PRAGMA quick_check").fetchone()[0]
            if status != "ok":
                raise CommandError(f"The archived SQLite database is damaged: {status}")
            connections.close_all()
            Path(name).parent.mkdir(parents=True, exist_ok=True)
            target = sqlite3.connect(name, timeout=SQLITE_TIMEOUT_SECONDS)
            try:
                source.backup(target)
            except sqlite3.Error as error:
                raise CommandError(
                    f"Could not write {name}: {error}. Is the site busy writing? Stop it, "
                    "then restore again; the database is unchanged."
                ) from error
            finally:
                target.close()
        finally:
            source.close()

    def restore_media(self, staging, roots):
        """Each media folder ends up with exactly the archive's files: what is there
        now is removed, the archive's files are moved in."""
        for folder, root in roots.items():
            root.mkdir(parents=True, exist_ok=True)
            nested = {other for other in roots.values() if other != root}
            empty_folder(root, keep=nested)
            source = staging / folder
            if source.is_dir():
                for child in source.iterdir():
                    shutil.move(child, root / child.name)

    def verify(self, manifest, members, roots):
        """Compare every table's row count, and every media folder's number of files,
        with the archive; fail loudly on any difference."""
        ContentType.objects.clear_cache()  # the ids may have changed under this process
        connection = default_connection()
        expected = manifest["tables"]
        existing = set(connection.introspection.table_names())
        actual = count_rows(connection, sorted(existing & set(expected)))
        problems = [f"table {table} is missing" for table in sorted(set(expected) - existing)]
        problems += [
            f"table {table} has {actual[table]} rows, the archive {count}"
            for table, count in sorted(expected.items())
            if table in actual and actual[table] != count
        ]
        for folder, root in roots.items():
            archived = archived_files(members)[folder]
            nested = {other for other in roots.values() if other != root}
            restored = len(media_tree(root, skip=nested)[1])
            if restored != archived:
                problems.append(
                    f"{MEDIA_FOLDERS[folder]} has {restored} files, the archive {archived}"
                )
        if problems:
            raise CommandError(
                "The restored site does not match the archive:\n  " + "\n  ".join(problems)
            )
        if extra := sorted(existing - set(expected)):
            self.stderr.write(
                "These tables are not in the archive and were left as they were (made by a "
                f"newer migration?): {', '.join(extra)}."
            )
