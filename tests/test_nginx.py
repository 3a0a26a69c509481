"""The documented nginx in front of gunicorn, and the upload limit.

Debian's nginx runs the repository's own `deploy/nginx.conf` (the file docs/deploy.md
installs), with only its placeholders changed: a free port on 127.0.0.1, a temporary
MEDIA_ROOT, a self-signed certificate for «localhost» instead of certbot's, gunicorn's
port, and no [::] lines. Behind it, gunicorn serves the production settings from a
file SQLite database holding a public document, a document and an image in a
collection only logged-in people may see, a public image with a rendition, and a
questionnaire's attachment in PRIVATE_MEDIA_ROOT. Public files come from nginx (a
document after Wagtail's view said yes with an X-Accel-Redirect); restricted ones are
refused by Wagtail's view and have no address under /media/ or anywhere else.

Needs Debian's nginx and openssl (`apt-get install nginx`; `.ci/run` installs it):
skipped without them, except in CI, where that fails."""

import contextlib
import http.client
import json
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import uuid

import pytest
import requests
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import translation

from cms.middleware import request_body_limit

from .helpers import ROOT, free_port, wait_for

NGINX_CONF = ROOT / "deploy" / "nginx.conf"
MIB = 1024 * 1024


def create_content():
    """The site's files, made in the gunicorn's own database and MEDIA_ROOT (run in a
    subprocess with its settings); returns what the tests look for."""
    from django.core.files.base import ContentFile
    from django.test import Client
    from wagtail.documents import get_document_model
    from wagtail.models import Collection, CollectionViewRestriction

    from events.factories import EditionPageFactory, ImageFactory, QuestionnairePageFactory
    from events.models import ProjectSubmission
    from home.models import HomePage

    def pdf(label):
        return f"%PDF-1.4\n% {label} {uuid.uuid4().hex}\n%%EOF\n".encode()

    root = Collection.get_first_root_node()
    jury = root.add_child(name="Для журі")
    CollectionViewRestriction.objects.create(
        collection=jury, restriction_type=CollectionViewRestriction.LOGIN
    )
    Document = get_document_model()
    public = Document.objects.create(
        title="План Майстерні", file=ContentFile(pdf("public"), name="plan-2017.pdf")
    )
    restricted = Document.objects.create(
        title="Кошторис для журі",
        file=ContentFile(pdf("restricted"), name="koshtorys-zhuri.pdf"),
        collection=jury,
    )
    photo = ImageFactory(title="Майданчик", file__filename="maidanchyk.png")
    rendition = photo.get_rendition("max-800x600")
    sketch = ImageFactory(title="Макет для журі", file__filename="maket.png", collection=jury)

    edition = EditionPageFactory(parent=HomePage.objects.get())
    questionnaire = QuestionnairePageFactory(parent=edition)
    project = ProjectSubmission.objects.create(
        page=questionnaire,
        form_data={},
        attachment=ContentFile(pdf("attachment"), name="kreslennia.pdf"),
        attachment_name="kreslennia.pdf",
        attachment_type="application/pdf",
    )

    from django.contrib.auth import get_user_model

    member = get_user_model().objects.create_user("zhuri", password=None)
    browser = Client()
    browser.force_login(member)
    return {
        "public_document": {"url": public.url, "file": public.file.name},
        "restricted_document": {"url": restricted.url, "file": restricted.file.name},
        "rendition": {"url": rendition.url, "file": rendition.file.name},
        "public_original": photo.file.name,
        "restricted_original": sketch.file.name,
        "attachment": project.attachment.name,
        "questionnaire": questionnaire.url,
        "session": browser.cookies[settings.SESSION_COOKIE_NAME].value,
    }


def site_config(workdir, *, gunicorn_port, http_port, https_port):
    """deploy/nginx.conf with its placeholders set for this machine, and nothing else."""
    text = NGINX_CONF.read_text()
    replacements = {
        "/etc/letsencrypt/live/maisternia.example.org/fullchain.pem": str(workdir / "cert.pem"),
        "/etc/letsencrypt/live/maisternia.example.org/privkey.pem": str(workdir / "key.pem"),
        "maisternia.example.org": "localhost",
        "/srv/cityworkshop/media/": f"{workdir}/media/",
        "127.0.0.1:8000": f"127.0.0.1:{gunicorn_port}",
        "root /var/www/html;": f"root {workdir}/acme;",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl": f"listen 127.0.0.1:{https_port} ssl",
    }
    for placeholder, value in replacements.items():
        assert placeholder in text, f"deploy/nginx.conf has no {placeholder!r} any more"
        text = text.replace(placeholder, value)
    return re.sub(r"^\s*listen \[::\]:.*\n", "", text, flags=re.MULTILINE)


def main_config(workdir):
    """What Debian's /etc/nginx/nginx.conf gives a site file (its MIME types, an http
    block that includes it), with the pid, logs and temporary files in workdir."""
    # Run as root (CI), nginx's workers would be `nobody` and could not read the
    # test's private temporary folder; a real MEDIA_ROOT is readable by www-data.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {workdir}/nginx-{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {workdir}/nginx-access.log;
{temp}
    include {workdir}/cityworkshop.conf;
}}
"""


def require_tools():
    missing = [tool for tool in ("nginx", "openssl") if not shutil.which(tool, path=TOOL_PATH)]
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{', '.join(missing)} must be installed in CI (.ci/run installs nginx)")
    pytest.skip(f"{', '.join(missing)} not installed (apt-get install nginx)")


TOOL_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/bin"])


def wait_for_port(port, process, seconds=15):
    for _ in range(int(seconds * 10)):
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise TimeoutError(port)


class Site:
    """gunicorn with the production settings, and nginx with deploy/nginx.conf."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.media = workdir / "media"
        self.tmp = workdir / "tmp"
        self.tmp.mkdir()
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DJANGO_", "SECURE_", "REDIS_", "DATABASE_", "GUNICORN_"))
                and k not in ("X_ACCEL_REDIRECT", "SERVE_MEDIA", "MEDIA_ROOT")
            },
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "SECRET_KEY": "nginx-test-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "MEDIA_ROOT": str(self.media),
            "PRIVATE_MEDIA_ROOT": str(workdir / "private_media"),
            "TRUSTED_PROXY_COUNT": "1",
            "FORM_POST_RATE_LIMIT": "3",
            "LOG_LEVEL": "WARNING",
            # One worker: its local-memory cache holds every rate-limit count.
            "GUNICORN_WORKERS": "1",
            # Where Django would write an upload's temporary file.
            "TMPDIR": str(self.tmp),
        }
        self.processes = []

    def python(self, *arguments):
        return subprocess.run(
            [sys.executable, *arguments],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def start(self):
        self.python("manage.py", "migrate", "--no-input")
        self.python("manage.py", "collectstatic", "--no-input", "--verbosity", "0")
        script = (
            "import django, json; django.setup(); "
            "from tests.test_nginx import create_content; print(json.dumps(create_content()))"
        )
        self.content = json.loads(self.python("-c", script).splitlines()[-1])

        self.gunicorn_port, http_port, https_port = free_port(), free_port(), free_port()
        self.gunicorn = f"http://127.0.0.1:{self.gunicorn_port}"
        self.launch(
            [sys.executable, "-m", "gunicorn", "-c", "cms/gunicorn.py", "cms.wsgi"],
            {**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.gunicorn_port}"},
        )
        wait_for(self.gunicorn + "/healthz", seconds=30)

        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
            + ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]
            + ["-keyout", str(self.workdir / "key.pem"), "-out", str(self.workdir / "cert.pem")],
            check=True,
            capture_output=True,
        )
        (self.workdir / "cityworkshop.conf").write_text(
            site_config(
                self.workdir,
                gunicorn_port=self.gunicorn_port,
                http_port=http_port,
                https_port=https_port,
            )
        )
        (self.workdir / "nginx.conf").write_text(main_config(self.workdir))
        nginx = shutil.which("nginx", path=TOOL_PATH)
        command = [nginx, "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf")]
        command += ["-e", str(self.workdir / "nginx-error.log")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        self.launch([*command, "-g", "daemon off;"], self.env)
        wait_for_port(https_port, self.processes[-1])
        self.https_port, self.http_port = https_port, http_port
        self.nginx = f"https://localhost:{https_port}"

    def launch(self, command, env):
        self.processes.append(
            subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )

    def stop(self):
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def get(self, path, **headers):
        """Through nginx, over HTTPS, the certificate checked."""
        return requests.get(
            self.nginx + path,
            headers=headers,
            verify=str(self.workdir / "cert.pem"),
            allow_redirects=False,
            timeout=10,
        )

    def get_from_gunicorn(self, path):
        """Straight to gunicorn, as nginx asks it: (status, headers, body). Read off the
        socket, since an X-Accel-Redirect answer rightly has none of the bytes its
        Content-Length announces (nginx never reads that body)."""
        with socket.create_connection(("127.0.0.1", self.gunicorn_port), timeout=10) as sock:
            sock.sendall(
                f"GET {path} HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-Proto: https\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            answer = b""
            while data := sock.recv(65536):
                answer += data
        head, _, body = answer.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines)
        return int(status_line.split()[1]), headers, body

    def raw_get(self, path):
        """Through nginx, the path sent exactly as written (no client tidies `..` or
        `%2e` away): (status, body)."""
        context = ssl.create_default_context(cafile=str(self.workdir / "cert.pem"))
        connection = http.client.HTTPSConnection("localhost", self.https_port, context=context)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def file(self, name):
        return (self.media / name).read_bytes()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_tools()
    site = Site(tmp_path_factory.mktemp("nginx"))
    try:
        site.start()
        yield site
    finally:
        site.stop()


# What the site says on every answer (cms/settings/production.py, cms/middleware.py),
# and nginx passes on with a document it sends.
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Strict-Transport-Security",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Resource-Policy",
    "Permissions-Policy",
)


def direct_addresses(name):
    """Every way of asking nginx for a file by its address under MEDIA_ROOT."""
    base = name.rsplit("/", 1)[-1]
    return [
        f"/media/{name}",
        f"/media//{name}",
        f"/media/images/../{name}",
        f"/media/images/%2e%2e/{name}",
        f"/media/images/..%2f{name}",
        f"/MEDIA/{name}",
        f"/internal-documents/{base}",
        f"/internal-documents/../{name}",
    ]


@pytest.mark.slow
def test_a_public_document_is_allowed_by_wagtail_and_sent_by_nginx(site):
    document = site.content["public_document"]
    content = site.file(document["file"])
    filename = document["file"].rsplit("/", 1)[-1]

    # Wagtail's view says yes and where the file is; it sends none of the bytes.
    status, headers, body = site.get_from_gunicorn(document["url"])
    assert status == 200
    assert headers["X-Accel-Redirect"] == f"/internal-documents/{filename}"
    assert body == b""

    # nginx follows it and sends the file, as a download, with the view's protections.
    download = site.get(document["url"])
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["Server"].startswith("nginx")
    assert "X-Accel-Redirect" not in download.headers
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"].startswith("default-src 'none'")
    for name in SECURITY_HEADERS:  # as the site said them, though nginx sent the file
        assert download.headers.get(name) == headers.get(name), name


@pytest.mark.slow
def test_a_restricted_document_is_refused_to_a_visitor_and_sent_to_a_logged_in_one(site):
    document = site.content["restricted_document"]
    content = site.file(document["file"])

    refused = site.get(document["url"])
    assert refused.status_code == 302
    assert "/login/" in refused.headers["Location"]
    assert content not in refused.content

    allowed = site.get(document["url"], Cookie=f"sessionid={site.content['session']}")
    assert allowed.status_code == 200
    assert allowed.content == content


def assert_unreachable(site, paths, content):
    """nginx answers each path with an error, and never with the file's bytes."""
    for path in paths:
        status, body = site.raw_get(path)
        assert status in (400, 404), (path, status)
        assert content not in body, path


@pytest.mark.slow
def test_no_document_is_reachable_by_its_file_address(site):
    for document in ("restricted_document", "public_document"):
        name = site.content[document]["file"]
        assert_unreachable(site, direct_addresses(name), site.file(name))
        assert site.get_from_gunicorn(f"/media/{name}")[0] == 404


@pytest.mark.slow
def test_original_images_have_no_address_and_renditions_are_sent_by_nginx(site):
    for original in (site.content["restricted_original"], site.content["public_original"]):
        assert_unreachable(site, direct_addresses(original), site.file(original))

    rendition = site.content["rendition"]
    served = site.get(rendition["url"])
    assert served.status_code == 200
    assert served.content == site.file(rendition["file"])
    assert served.headers["Server"].startswith("nginx")
    assert served.headers["Cache-Control"] == "max-age=2592000"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    # gunicorn has no /media/ at all: those bytes can only have come from nginx.
    assert site.get_from_gunicorn(rendition["url"])[0] == 404


@pytest.mark.slow
def test_a_questionnaire_attachment_has_no_address_at_all(site):
    name = site.content["attachment"]
    content = (site.workdir / "private_media" / name).read_bytes()
    paths = [
        *direct_addresses(name),
        f"/media/../private_media/{name}",
        f"/private_media/{name}",
        f"/media/images/../../private_media/{name}",
    ]
    assert_unreachable(site, paths, content)
    assert site.get_from_gunicorn(f"/private_media/{name}")[0] == 404


@pytest.mark.slow
def test_plain_http_is_redirected_to_https(site):
    response = requests.get(
        f"http://127.0.0.1:{site.http_port}/2017/", allow_redirects=False, timeout=10
    )
    assert response.status_code == 301
    assert response.headers["Location"] == "https://127.0.0.1/2017/"


@pytest.mark.slow
def test_a_made_up_forwarded_address_does_not_escape_the_rate_limit_behind_nginx(site):
    """With TRUSTED_PROXY_COUNT=1 the site counts the address nginx appends to
    X-Forwarded-For, whatever the visitor wrote before it."""
    token = "k" * 32  # a CSRF secret of the visitor's, as cookie and field
    # The count is per clock hour, in gunicorn's clock: not across the end of one.
    left = 3600 - time.time() % 3600
    if left < 30:
        time.sleep(left + 1)
    statuses = []
    for number in range(4):
        response = requests.post(
            site.nginx + site.content["questionnaire"],
            data={"csrfmiddlewaretoken": token},
            headers={
                "Cookie": f"csrftoken={token}",
                "Origin": "https://localhost",
                "X-Forwarded-For": f"203.0.113.{number}",
            },
            verify=str(site.workdir / "cert.pem"),
            allow_redirects=False,
            timeout=10,
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429]  # the form again (incomplete), then refused


def nginx_body_limit():
    size = re.search(r"^\s*client_max_body_size (\d+)m;", NGINX_CONF.read_text(), re.MULTILINE)
    return int(size[1]) * MIB


def test_nginx_and_django_refuse_bodies_from_the_same_size():
    assert nginx_body_limit() == settings.REQUEST_MAX_BODY_SIZE
    assert settings.REQUEST_MAX_BODY_SIZE > settings.WAGTAILDOCS_MAX_UPLOAD_SIZE


@pytest.mark.slow
def test_nginx_refuses_a_body_over_the_limit_before_it_is_sent(site):
    context = ssl.create_default_context(cafile=str(site.workdir / "cert.pem"))
    with (
        socket.create_connection(("127.0.0.1", site.https_port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as connection,
    ):
        connection.sendall(
            b"POST /admin/documents/add/ HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/octet-stream\r\n"
            + f"Content-Length: {settings.REQUEST_MAX_BODY_SIZE + 1}\r\n\r\n".encode()
        )
        answer = b""
        with contextlib.suppress(OSError):
            while data := connection.recv(65536):
                answer += data
    assert answer.startswith(b"HTTP/1.1 413")
    # The site's own message, as gunicorn would give it.
    with translation.override("uk"):
        message = request_body_limit(None)(RequestFactory().post("/", CONTENT_LENGTH="1" * 9))
    body = answer.partition(b"\r\n\r\n")[2].decode()
    assert " ".join(body.split()) == " ".join(message.content.decode().split())


def post_to_gunicorn(site, length):
    """A questionnaire POST straight to gunicorn that says it is `length` bytes long,
    as a browser sends it (its Origin and CSRF cookie pass the first checks, and the
    CSRF check then reads the body for the token), with the start of a file part:
    (the answer, seconds it took)."""
    start = (
        b"--cityworkshop\r\n"
        b'Content-Disposition: form-data; name="attachment"; filename="velykyi.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n" + b"x" * 1024
    )
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", site.gunicorn_port), timeout=5) as connection:
        connection.sendall(
            b"POST /2017/project/ HTTP/1.1\r\nHost: localhost\r\n"
            b"X-Forwarded-Proto: https\r\nOrigin: https://localhost\r\n"
            b"Cookie: csrftoken=" + b"k" * 32 + b"\r\n"
            b"Content-Type: multipart/form-data; boundary=cityworkshop\r\n"
            + f"Content-Length: {length}\r\n\r\n".encode()
            + start
        )
        answer = b""
        with contextlib.suppress(OSError):  # a timeout: no answer while it waits
            while data := connection.recv(65536):
                answer += data
    return answer, time.monotonic() - started


@pytest.mark.slow
def test_gunicorn_refuses_a_200_mb_upload_before_reading_it(site):
    answer, seconds = post_to_gunicorn(site, 200 * MIB)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert "завеликий" in answer.decode()
    assert seconds < 3
    assert list(site.tmp.iterdir()) == []  # no temporary file was begun


def test_a_request_longer_than_the_largest_upload_is_refused_unread(client, db):
    class Unreadable:
        def read(self, *args):
            raise AssertionError("the body was read")

        readline = read

    response = client.post(
        "/admin/documents/add/",
        data=b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_BODY_SIZE + 1),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == "Запит завеликий: файл може мати щонайбільше 20,0\xa0МБ."


def test_a_document_of_the_largest_size_still_uploads(admin_client):
    content = b"%PDF-1.4\n" + bytes(settings.WAGTAILDOCS_MAX_UPLOAD_SIZE - 9)
    response = admin_client.post(
        "/admin/documents/add/",
        {
            "title": "Кошторис 2018",
            "collection": 1,
            "file": SimpleUploadedFile("koshtorys.pdf", content, "application/pdf"),
        },
    )
    assert response.status_code == 302


def test_the_public_pages_show_only_renditions_and_document_views(client, edition):
    """nginx serves /media/images/ only, so no page may point anywhere else under /media/
    (an original image, a document's file): images are renditions, documents go
    through Wagtail's view."""
    from wagtail.models import Page, Site

    from events.factories import EditionPartnerFactory, ImageFactory
    from events.models import EditionPartner, TrackPage
    from home.models import SiteSettings

    edition.hero_image = ImageFactory(title="Майданчик")
    edition.save_revision().publish()
    EditionPartnerFactory(
        edition=edition,
        name="Житомирська міська рада",
        role=EditionPartner.Role.ORGANISER,
        logo=ImageFactory(title="Логотип", file__width=400, file__height=200),
    )
    track = TrackPage.objects.first()
    track.image = ImageFactory(title="Велосипедисти")
    track.save_revision().publish()
    site_settings = SiteSettings.for_site(Site.objects.get())
    site_settings.organiser_logo = ImageFactory(title="Логотип міста")
    site_settings.save()

    media, documents = [], []
    for page in Page.objects.live().exclude(depth=1).specific():
        html = client.get(page.url).content.decode()
        media += re.findall(r"/media/[^\"'\s)<>&]*", html)
        documents += re.findall(r'href="(?:http://testserver)?(/documents/\d+/[^"]+)"', html)
    assert media
    assert [url for url in media if not url.startswith("/media/images/")] == []
    assert documents
    assert all(client.get(url).status_code == 200 for url in documents)


def test_the_api_gives_an_image_s_rendition_as_its_download(client, db):
    from events.factories import ImageFactory

    image = ImageFactory(title="Майданчик", file__width=3000, file__height=1500)
    listing = client.get("/api/v2/images/").json()["items"]
    detail = client.get(f"/api/v2/images/{image.pk}/").json()
    for url in (listing[0]["meta"]["download_url"], detail["meta"]["download_url"]):
        assert url.startswith("/media/images/"), url
        assert url == image.get_rendition("max-2400x2400").url
    assert image.get_rendition("max-2400x2400").width == 2400


def sendfile_backend(**env):
    """SENDFILE_BACKEND of the production settings in this environment."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "DJANGO_", "SERVE_MEDIA", "X_ACCEL_REDIRECT"))
    }
    code = "import cms.settings.production as s; print(getattr(s, 'SENDFILE_BACKEND', None))"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "SECRET_KEY": "probe-" + uuid.uuid4().hex, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_documents_go_to_nginx_in_production_unless_nothing_is_in_front():
    assert sendfile_backend() == "django_sendfile.backends.nginx"
    # `make serve`: gunicorn alone, the view streams the file itself.
    assert sendfile_backend(SERVE_MEDIA="on") == "None"
    assert sendfile_backend(X_ACCEL_REDIRECT="off") == "None"
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"
