"""Settings come from the environment and are safe by default."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = (
    "import json; from django.conf import settings; db = settings.DATABASES['default'];"
    "print(json.dumps({'debug': settings.DEBUG, 'engine': db['ENGINE'],"
    " 'name': str(db['NAME']), 'hosts': settings.ALLOWED_HOSTS,"
    " 'language': settings.LANGUAGE_CODE, 'tz': settings.TIME_ZONE}))"
)
ENV_NAMES = ("DEBUG", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS")


def read_settings(module, **env):
    clean = {key: value for key, value in os.environ.items() if key not in ENV_NAMES}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        return result.stderr
    return json.loads(result.stdout)


def test_production_refuses_to_start_without_a_secret_key():
    assert "Set the SECRET_KEY environment variable" in read_settings("cms.settings.production")


def test_debug_is_off_unless_the_dev_settings_turn_it_on():
    production = read_settings("cms.settings.production", SECRET_KEY="x" * 50)
    assert production["debug"] is False
    assert read_settings("cms.settings.base")["debug"] is False
    assert read_settings("cms.settings.dev")["debug"] is True
    assert read_settings("cms.settings.dev", DEBUG="off")["debug"] is False


def test_the_database_defaults_to_sqlite_in_the_project_and_follows_database_url():
    default = read_settings("cms.settings.base")
    assert default["engine"] == "django.db.backends.sqlite3"
    assert default["name"] == str(ROOT / "db.sqlite3")
    postgres = read_settings(
        "cms.settings.base", DATABASE_URL="postgres://postgres@127.0.0.1:5432/cityworkshop"
    )
    assert postgres["engine"] == "django.db.backends.postgresql"
    assert postgres["name"] == "cityworkshop"


def test_hosts_language_and_time_zone():
    configured = read_settings("cms.settings.base", ALLOWED_HOSTS="a.example.org, b.example.org")
    assert configured["hosts"] == ["a.example.org", "b.example.org"]
    assert configured["language"] == "uk"
    assert configured["tz"] == "Europe/Kyiv"
