"""The documented Varnish in front of gunicorn (docs/deploy.md, «A caching proxy»).

Debian's varnishd runs the repository's own `deploy/varnish/cityworkshop.vcl` with only
the backend's port changed, in front of gunicorn with the production settings and
`FRONTEND_CACHE_PURGE_URL` at Varnish's purge address, on a file SQLite database with
an edition, its programme and a day, a registration form and an editor's session.
Anonymous reads are kept and answered by Varnish; publishing through Django bans the
page's path with every query string of it; the admin, forms, logged-in editors and
answers that set a cookie or are private never come from the cache; while gunicorn is
down, Varnish serves what it has.

Needs Debian's varnish (`apt-get install varnish`; `.ci/run` installs it): skipped
without it, except in CI, where that fails."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.conf import settings

from .helpers import ROOT, free_port, wait_for
from .test_cache_resilience import RedisServer, require_redis_server

VCL = ROOT / "deploy" / "varnish" / "cityworkshop.vcl"
DROP_IN = ROOT / "deploy" / "varnish" / "varnish.service.d" / "cityworkshop.conf"
TOOL_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/bin"])


def require_varnish():
    if shutil.which("varnishd", path=TOOL_PATH):
        return
    if os.environ.get("CI"):
        pytest.fail("varnish must be installed in CI (.ci/run installs it)")
    pytest.skip("varnish not installed (apt-get install varnish)")


def vcl_for(backend_port):
    """deploy/varnish/cityworkshop.vcl with gunicorn's port set, and nothing else."""
    text = VCL.read_text()
    placeholder = '.port = "8000";'
    assert placeholder in text, f"{VCL.name} has no {placeholder!r} any more"
    return text.replace(placeholder, f'.port = "{backend_port}";')


class Varnish:
    """varnishd in the foreground with the repository's VCL, on two free ports: the
    one nginx would use and the "purge" one Wagtail's frontend cache uses."""

    def __init__(self, workdir, backend_port):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port, self.purge_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.purge_url = f"http://127.0.0.1:{self.purge_port}"
        (self.workdir / "cityworkshop.vcl").write_text(vcl_for(backend_port))
        self.process = None

    def command(self):
        """The drop-in's ExecStart with this machine's ports and folder."""
        (line,) = re.findall(r"^ExecStart=(/.+)$", DROP_IN.read_text(), re.MULTILINE)
        replacements = {
            # Run as whoever runs the test: the vcache user could not read its folder.
            "-j unix,user=vcache": "-j none",
            "-a 127.0.0.1:6081": f"-a 127.0.0.1:{self.port}",
            "-a purge=127.0.0.1:6086": f"-a purge=127.0.0.1:{self.purge_port}",
            "-T localhost:6082": f"-n {self.workdir / 'state'}",
            "-f /etc/varnish/cityworkshop.vcl": f"-f {self.workdir / 'cityworkshop.vcl'}",
            "-S /etc/varnish/secret": "",
            "/usr/sbin/varnishd": shutil.which("varnishd", path=TOOL_PATH),
        }
        for placeholder, value in replacements.items():
            assert placeholder in line, f"{DROP_IN.name} has no {placeholder!r} any more"
            line = line.replace(placeholder, value)
        return line.split()

    def start(self):
        self.process = subprocess.Popen(
            self.command(),
            stdout=subprocess.DEVNULL,
            stderr=(self.workdir / "varnishd.log").open("w"),
        )
        wait_for(self.url + "/healthz", seconds=30)
        return self

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def create_content():
    """The site's pages, made in the gunicorn's own database (run in a subprocess with
    its settings); returns what the tests look for."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from events.factories import (
        DayPageFactory,
        EditionPageFactory,
        ProgrammePageFactory,
        RegistrationFormFieldFactory,
        RegistrationFormPageFactory,
        SessionFactory,
    )
    from home.models import HomePage

    edition = EditionPageFactory(parent=HomePage.objects.get())
    programme = ProgrammePageFactory(parent=edition)
    day = DayPageFactory(parent=programme, date=edition.start_date)
    SessionFactory(page=day, title="Велодоріжки міста")
    form = RegistrationFormPageFactory(parent=edition)
    RegistrationFormFieldFactory(page=form, label="Ім'я", field_type="singleline")
    editor = get_user_model().objects.create_superuser("redaktorka", password=None)
    browser = Client()
    browser.force_login(editor)
    return {
        "edition": edition.url,
        "programme": programme.url,
        "programme_id": programme.pk,
        "day": day.url,
        "form": form.url,
        "session": browser.cookies[settings.SESSION_COOKIE_NAME].value,
    }


def publish(page_id):
    """An editor's publication of the page, as the admin makes it: a new revision,
    published (Wagtail's frontend cache purges its addresses)."""
    from wagtail.models import Page

    page = Page.objects.get(pk=page_id).specific
    page.title = f"{page.title} ({uuid.uuid4().hex[:4]})"
    page.save_revision().publish()
    return page.title


class Site:
    """gunicorn with the production settings, and Varnish with the repository's VCL."""

    def __init__(self, workdir, **env):
        self.workdir = Path(workdir)
        self.varnish = None
        self.gunicorn = None
        self.gunicorn_port = free_port()
        self.varnish = Varnish(self.workdir / "varnish", self.gunicorn_port)
        # A browser's Origin on the HTTPS site nginx would serve at Varnish's address.
        self.origin = f"https://127.0.0.1:{self.varnish.port}"
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DJANGO_", "SECURE_", "REDIS_", "DATABASE_", "GUNICORN_"))
                and k not in ("X_ACCEL_REDIRECT", "SERVE_MEDIA", "MEDIA_ROOT", "SITE_URL")
            },
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "SECRET_KEY": "proxy-test-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "DATABASE_URL": f"sqlite:///{self.workdir / 'db.sqlite3'}",
            "MEDIA_ROOT": str(self.workdir / "media"),
            "PRIVATE_MEDIA_ROOT": str(self.workdir / "private_media"),
            # What visitors reach: Varnish (nginx, in production); the purge's Host.
            "SITE_URL": self.varnish.url,
            "FRONTEND_CACHE_PURGE_URL": self.varnish.purge_url,
            "SECURE_SSL_REDIRECT": "off",
            "SECURE_COOKIES": "off",
            "TRUSTED_PROXY_COUNT": "1",
            "FORM_POST_RATE_LIMIT": "3",
            "LOG_LEVEL": "WARNING",
            # One worker: its local-memory cache holds every rate-limit count.
            "GUNICORN_WORKERS": "1",
            **env,
        }

    def python(self, *arguments):
        return subprocess.run(
            [sys.executable, *arguments],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def django(self, code):
        """Run `code` with Django set up in the gunicorn's environment (its database,
        its frontend cache); the last line it prints, as JSON."""
        import json

        script = f"import django, json; django.setup(); {code}"
        return json.loads(self.python("-c", script).splitlines()[-1])

    def prepare(self):
        self.python("manage.py", "migrate", "--no-input")
        self.python("manage.py", "collectstatic", "--no-input", "--verbosity", "0")
        self.content = self.django(
            "from tests.test_proxy import create_content; print(json.dumps(create_content()))"
        )
        return self

    def start(self):
        self.gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "cms/gunicorn.py", "cms.wsgi"],
            env={**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.gunicorn_port}"},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(f"http://127.0.0.1:{self.gunicorn_port}/healthz", seconds=30)
        self.varnish.start()
        return self

    def stop_gunicorn(self):
        if self.gunicorn is not None and self.gunicorn.poll() is None:
            self.gunicorn.terminate()
            try:
                self.gunicorn.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.gunicorn.kill()
                self.gunicorn.wait()

    def stop(self):
        self.varnish.stop()
        self.stop_gunicorn()

    def request(self, method, path, *, direct=False, **kwargs):
        """Through Varnish as nginx passes a request on (X-Forwarded-Proto: https), or
        `direct` to gunicorn."""
        base = f"http://127.0.0.1:{self.gunicorn_port}" if direct else self.varnish.url
        headers = {"X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        return requests.request(
            method, base + path, headers=headers, allow_redirects=False, timeout=10, **kwargs
        )

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_varnish()
    require_redis_server()
    # Redis, as in production: the app's page cache and its versions are shared by
    # gunicorn and the process that publishes (and the mail worker that purges).
    redis = RedisServer(tmp_path_factory.mktemp("redis"))
    redis.start()
    site = Site(tmp_path_factory.mktemp("proxy"), REDIS_URL=redis.url())
    try:
        site.prepare().start()
        yield site
    finally:
        site.stop()
        redis.kill()


def assert_kept(site, path):
    """The first read fills the cache, the second is Varnish's own copy."""
    first = site.get(path)
    assert first.status_code == 200, path
    second = site.get(path)
    assert second.status_code == 200
    assert second.headers["X-Cache"] == "HIT", path
    assert second.content == first.content
    return second


def purge(site, path, port=None):
    return requests.request(
        "PURGE", f"http://127.0.0.1:{port or site.varnish.purge_port}{path}", timeout=10
    )


@pytest.mark.slow
@pytest.mark.servers
def test_an_anonymous_page_is_answered_by_varnish_the_second_time(site):
    path = site.content["programme"]
    site.get(path)  # whatever an earlier test left: the copy is there now
    hit = assert_kept(site, path)
    assert int(hit.headers["Age"]) >= 0
    assert hit.headers["Cache-Control"] == "max-age=0, s-maxage=300"  # the site's own
    # Browsers' other headers do not make copies of their own.
    again = site.get(
        path,
        headers={"Accept-Language": "en-GB,en;q=0.8", "Cookie": "_ga=GA1.2.3; theme=dark"},
    )
    assert again.headers["X-Cache"] == "HIT"
    # What Varnish uses inside stays inside.
    assert "X-Cache-Path" not in hit.headers
    assert "X-Varnish" not in hit.headers


@pytest.mark.slow
@pytest.mark.servers
def test_a_cached_page_keeps_the_site_s_security_headers(site):
    path = site.content["edition"]
    hit = assert_kept(site, path)
    direct = site.get(path, direct=True)
    for name in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Strict-Transport-Security",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Cross-Origin-Resource-Policy",
        "Permissions-Policy",
    ):
        assert name in direct.headers, name
        assert hit.headers.get(name) == direct.headers[name], name


@pytest.mark.slow
@pytest.mark.servers
def test_a_purge_bans_the_path_with_all_its_query_strings_and_nothing_else(site):
    programme, day, edition = (site.content[k] for k in ("programme", "day", "edition"))
    addresses = [programme, f"{programme}?track=cycling", f"{programme}?day=x&kind=y"]
    for path in [*addresses, day, edition]:
        assert_kept(site, path)

    # Not from the address nginx uses, whoever asks.
    assert purge(site, programme, port=site.varnish.port).status_code == 405
    assert site.get(programme).headers["X-Cache"] == "HIT"

    assert purge(site, programme).status_code == 200
    for path in addresses:
        assert site.get(path).headers["X-Cache"] == "MISS", path
    # The pages below it and above it are other addresses.
    assert site.get(day).headers["X-Cache"] == "HIT"
    assert site.get(edition).headers["X-Cache"] == "HIT"


@pytest.mark.slow
@pytest.mark.servers
def test_publishing_a_page_in_django_purges_it_from_varnish(site):
    programme = site.content["programme"]
    for path in (programme, f"{programme}?track=cycling"):
        assert_kept(site, path)

    page_id = site.content["programme_id"]
    title = site.django(
        f"from tests.test_proxy import publish; print(json.dumps(publish({page_id})))"
    )
    # The purge is the background worker's (docs/deploy.md: the mail worker), after the
    # publication's commit: until it runs, Varnish still has its copy.
    assert site.get(programme).headers["X-Cache"] == "HIT"
    site.python("manage.py", "db_worker", "--backend", "mail", "--batch", "--no-startup-delay")

    # Fetched again from gunicorn, whose own page cache (Redis) has the new version.
    fresh = site.get(programme)
    assert fresh.headers["X-Cache"] == "MISS"
    assert title in fresh.text
    assert site.get(f"{programme}?track=cycling").headers["X-Cache"] == "MISS"
    assert site.get(programme).headers["X-Cache"] == "HIT"


@pytest.mark.slow
@pytest.mark.servers
def test_a_logged_in_editor_is_never_answered_from_the_cache(site):
    path = site.content["edition"]
    anonymous = assert_kept(site, path)
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={site.content['session']}"}
    for _ in range(2):
        editor = site.get(path, headers=cookie)
        assert editor.headers["X-Cache"] == "PASS"
        assert "private" in editor.headers["Cache-Control"]
        assert "wagtail-userbar" in editor.text  # the editor's own page
    # ...and what the editor saw was not kept for anybody else.
    assert site.get(path).content == anonymous.content
    assert "wagtail-userbar" not in anonymous.text
    # An API token is someone too.
    assert (
        site.get("/api/v2/pages/", headers={"Authorization": "Bearer x"}).headers["X-Cache"]
        == "PASS"
    )


@pytest.mark.slow
@pytest.mark.servers
def test_the_admin_is_never_cached(site):
    for path in ("/admin/", "/admin/login/", "/django-admin/"):
        for _ in range(2):
            response = site.get(path)
            assert response.headers["X-Cache"] == "PASS", path
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={site.content['session']}"}
    dashboard = site.get("/admin/", headers=cookie)
    assert dashboard.status_code == 200
    assert dashboard.headers["X-Cache"] == "PASS"


@pytest.mark.slow
@pytest.mark.servers
def test_a_form_is_never_cached_nor_its_post(site):
    path = site.content["form"]
    for _ in range(3):
        page = site.get(path)
        assert page.status_code == 200
        # A first visit is given its CSRF cookie: such an answer is nobody else's.
        assert settings.CSRF_COOKIE_NAME in page.headers["Set-Cookie"]
        assert page.headers["X-Cache"] != "HIT"
    token = page.cookies[settings.CSRF_COOKIE_NAME]
    with_cookie = site.get(path, headers={"Cookie": f"{settings.CSRF_COOKIE_NAME}={token}"})
    assert with_cookie.headers["X-Cache"] == "PASS"
    sent = site.request(
        "POST",
        path,
        data={"csrfmiddlewaretoken": token},
        headers={"Cookie": f"{settings.CSRF_COOKIE_NAME}={token}", "Origin": site.origin},
    )
    assert sent.headers["X-Cache"] == "PASS"
    assert sent.status_code == 200  # the form again, with what is missing


@pytest.mark.slow
@pytest.mark.servers
def test_the_site_reads_the_forwarded_address_as_nginx_wrote_it(site):
    """Varnish takes its own entry (127.0.0.1) off X-Forwarded-For, so that with
    TRUSTED_PROXY_COUNT=1 the forms' rate limit counts each visitor as nginx saw
    them: two visitors do not share one count."""
    token = "v" * 32
    # The count is per clock hour, in gunicorn's clock: not across the end of one.
    left = 3600 - time.time() % 3600
    if left < 30:
        time.sleep(left + 1)

    def post(visitor):
        return site.request(
            "POST",
            site.content["form"],
            data={"csrfmiddlewaretoken": token},
            headers={
                "Cookie": f"{settings.CSRF_COOKIE_NAME}={token}",
                "Origin": site.origin,
                # What nginx sends: whatever the visitor wrote, then the address it saw.
                "X-Forwarded-For": f"10.9.8.7, {visitor}",
            },
        ).status_code

    assert [post("203.0.113.10") for _ in range(3)] == [200, 200, 200]
    assert post("203.0.113.20") == 200  # somebody else
    assert post("203.0.113.10") == 429


def test_the_documented_commands_install_the_tested_files():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    drop_in = DROP_IN.read_text()
    assert "cp /srv/cityworkshop/app/deploy/varnish/cityworkshop.vcl /etc/varnish/" in guide
    assert "-f /etc/varnish/cityworkshop.vcl" in drop_in
    assert f"/{DROP_IN.relative_to(ROOT).as_posix()} /etc/systemd/system/" in guide
    # Wagtail purges where the drop-in listens for purges...
    (purge_address,) = re.findall(r"-a purge=(\S+)", drop_in)
    assert f"FRONTEND_CACHE_PURGE_URL=http://{purge_address}\n" in guide
    # ...and nginx sends the site to where it listens for nginx, instead of gunicorn.
    (public,) = re.findall(r"-a (127\.0\.0\.1:\d+)", drop_in)
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server 127.0.0.1:8000;" in nginx
    assert f"s/server 127.0.0.1:8000;/server {public};/" in guide
    assert '.port = "8000";' in VCL.read_text()


def test_the_vcl_knows_the_site_s_cookies_and_languages():
    text = VCL.read_text()
    cookies = re.search(r'req\.http\.Cookie ~ "\(\^\|;\)\\s\*\(([^)]+)\)="', text)
    assert cookies, "the VCL's cookie rule changed: update this test"
    assert set(cookies[1].split("|")) == {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
    # Accept-Language is dropped before the cache: right only while there is one.
    assert len(settings.LANGUAGES) == 1


@pytest.fixture
def short_lived(tmp_path_factory, site):
    """A second gunicorn on the same database whose pages live 3 seconds, behind a
    Varnish of its own."""
    workdir = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    other = Site(workdir, PAGE_CACHE_SECONDS="3", DATABASE_URL=site.env["DATABASE_URL"])
    other.content = site.content
    try:
        yield other.start()
    finally:
        other.stop()


def wait_until(condition, seconds):
    for _ in range(int(seconds * 10)):
        if condition():
            return
        time.sleep(0.1)
    raise TimeoutError(condition)


@pytest.mark.slow
@pytest.mark.servers
def test_a_copy_lives_as_long_as_the_site_says_and_longer_only_while_it_is_down(short_lived):
    site = short_lived
    path = site.content["day"]
    kept = assert_kept(site, path)
    assert kept.headers["Cache-Control"].endswith("s-maxage=3")
    time.sleep(3.5)
    # Healthy: an expired copy is not served, not even once.
    assert site.get(path).headers["X-Cache"] == "MISS"
    assert site.get(path).headers["X-Cache"] == "HIT"

    site.stop_gunicorn()

    def backend_sick():
        admin = shutil.which("varnishadm", path=TOOL_PATH)
        listing = subprocess.run(
            [admin, "-n", str(site.varnish.workdir / "state"), "backend.list"],
            capture_output=True,
            text=True,
        ).stdout
        return "sick" in listing

    wait_until(backend_sick, seconds=15)
    time.sleep(3.5)  # the copy's lifetime is over
    stale = site.get(path)
    assert stale.status_code == 200
    assert stale.content == kept.content
    assert int(stale.headers["Age"]) > 3
    # What Varnish never had is a 503, as before.
    assert site.get(site.content["edition"] + "?never=1").status_code == 503
