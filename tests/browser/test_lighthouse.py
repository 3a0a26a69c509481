"""Lighthouse (mobile) on the home, edition and programme pages of the demo site:
accessibility 100, SEO 100 and best practices at least 95, as hard checks. Performance
depends on how busy the machine is: it is a figure, not a check. Every score of each
run, performance included, is written to test-results/lighthouse.json. The other
modules' audits (the event day's screens, «Мій розклад») leave performance out: it
checks nothing there, and its trace is the slowest part of a run."""

import json
import os
import subprocess

from tests.helpers import ROOT

from .conftest import CHROMIUM, require

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
PAGES = ["/", "/2017/", "/2017/programme/"]
MINIMUM = {"accessibility": 1.0, "seo": 1.0, "best-practices": 0.95}
CHECKED = tuple(MINIMUM)


def audit(url, output, attempts=3, extra=(), categories=CHECKED):
    """The category scores of one page. Lighthouse sometimes loses its trace of the
    page load on a busy machine ("Please run Lighthouse again"): it is run again."""
    for _ in range(attempts):
        result = run_lighthouse(url, output, [f"--only-categories={','.join(categories)}", *extra])
        if result.returncode == 0:
            break
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(output.read_text())
    return {name: category["score"] for name, category in report["categories"].items()}


def run_lighthouse(url, output, extra=()):
    return subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--form-factor=mobile",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            "--output=json",
            f"--output-path={output}",
            *extra,
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
        text=True,
        timeout=180,
    )


def shortfalls(scores):
    """The scores under MINIMUM, by page: {} when every page is clean."""
    below = {
        path: {
            name: score for name, score in page.items() if name in MINIMUM and score < MINIMUM[name]
        }
        for path, page in scores.items()
    }
    return {path: low for path, low in below.items() if low}


def test_lighthouse_scores_on_the_main_pages(site_url, tmp_path, record_figure):
    require(LIGHTHOUSE.exists(), "Lighthouse (npm install)")
    scores = {
        path: audit(site_url + path, tmp_path / "report.json", categories=("performance", *CHECKED))
        for path in PAGES
    }
    record_figure("lighthouse", **scores)
    assert shortfalls(scores) == {}
