"""Every public page type is valid HTML for the Nu Html Checker (npm vnu-jar, the W3C
validator's engine), run on this machine: no error."""

import json
import shutil
import subprocess
import urllib.request
from urllib.parse import quote

from tests.helpers import ROOT

from .conftest import require
from .test_public_site import LINKED, PAGES

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def errors_in(files):
    """The checker's errors, by file: one Java start for all the pages."""
    result = subprocess.run(
        [shutil.which("java"), "-jar", str(VNU), "--stdout", "--format", "json", *map(str, files)],
        capture_output=True,
    )
    errors = {}
    for message in json.loads(result.stdout)["messages"]:
        if message["type"] == "error":
            name = message["url"].rsplit("/", 1)[-1]
            errors.setdefault(name, []).append(f"{message.get('lastLine')}: {message['message']}")
    return errors


def test_every_public_page_type_is_valid_html(site_url, phone, tmp_path):
    require(VNU.exists() and shutil.which("java"), "vnu-jar (npm install) and Java")
    paths = list(PAGES)
    for path, link in LINKED.items():
        phone.goto(site_url + path)
        paths.append(phone.locator(link).first.get_attribute("href"))
    files = {}
    for number, path in enumerate(paths):
        with urllib.request.urlopen(site_url + quote(path, safe="/?=&")) as response:
            page = tmp_path / f"page-{number}.html"
            page.write_bytes(response.read())
            files[page.name] = path
    problems = errors_in(tmp_path / name for name in files)
    assert {files[name]: errors for name, errors in problems.items()} == {}
