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


def errors_in(html):
    result = subprocess.run(
        [shutil.which("java"), "-jar", str(VNU), "--stdout", "--format", "json", "-"],
        input=html,
        capture_output=True,
    )
    messages = json.loads(result.stdout)["messages"]
    return [
        f"{message.get('lastLine')}: {message['message']}"
        for message in messages
        if message["type"] == "error"
    ]


def test_every_public_page_type_is_valid_html(site_url, phone):
    require(VNU.exists() and shutil.which("java"), "vnu-jar (npm install) and Java")
    paths = list(PAGES)
    for path, link in LINKED.items():
        phone.goto(site_url + path)
        paths.append(phone.locator(link).first.get_attribute("href"))
    problems = {}
    for path in paths:
        with urllib.request.urlopen(site_url + quote(path, safe="/?=&")) as response:
            html = response.read()
        if errors := errors_in(html):
            problems[path] = errors
    assert problems == {}
