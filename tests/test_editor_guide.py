"""«Посібник редактора» in the admin's help menu is the project's own guide
(docs/editor-guide.md, home/guide.py), served inside the admin with its screenshots,
for every role that may enter the admin and nobody else; Wagtail's English guides on
the web are out of the menu."""

import os
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

import home.guide
from tests.helpers import ROOT
from tests.test_admin_language import menu_urls

GUIDE_URL = "/admin/guide/"


@pytest.fixture(params=["Редактори", "Модератори"])
def member(request, db, django_user_model):
    user = django_user_model.objects.create_user(f"user-{request.param}", password="x")
    user.groups.add(Group.objects.get(name=request.param))
    return user


def guide_tree(client):
    response = client.get(GUIDE_URL)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def test_the_help_menu_leads_to_the_project_s_guide_only(member):
    urls = menu_urls(member)
    assert reverse("editor_guide") == GUIDE_URL
    assert GUIDE_URL in urls
    assert not [url for url in urls if "wagtail.org" in url]


def test_the_sidebar_names_it_in_ukrainian(client, member):
    client.force_login(member)
    markup = client.get("/admin/").content.decode()
    assert "Посібник редактора" in markup
    assert "guide.wagtail.org" not in markup


def test_each_role_reads_the_whole_guide_with_its_screenshots(client, member):
    client.force_login(member)
    tree = guide_tree(client)
    assert tree.xpath("//h1")[0].text_content().strip() == "Посібник редактора"
    headings = [h.text_content() for h in tree.xpath("//article//h2")]
    source = (ROOT / "docs" / "editor-guide.md").read_text(encoding="utf-8")
    assert headings == [line[3:] for line in source.splitlines() if line.startswith("## ")]
    # The tables of contents' links land on the headings; the screenshots are served.
    ids = set(tree.xpath("//@id"))
    for href in tree.xpath("//article//a/@href"):
        if href.startswith("#"):
            assert unquote(href[1:]) in ids, href
    images = tree.xpath("//article//img/@src")
    assert len(images) >= 10
    for src in images:
        url = urlsplit(GUIDE_URL + src).path  # relative to the guide, as a browser reads it
        response = client.get(url)
        assert response.status_code == 200, src
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    # Markdown's lists and code blocks (the tree of pages), not its source text.
    assert tree.xpath("//article//pre/code") and tree.xpath("//article//ol/li")
    assert "## " not in tree.xpath("string(//article)")


def test_the_guide_costs_the_admin_s_own_queries_only(
    client, member, django_assert_num_queries, django_assert_max_num_queries
):
    """The session, the user, the permissions that Wagtail's menus are built from; the
    guide itself reads no database."""
    client.force_login(member)
    client.get(GUIDE_URL)
    with django_assert_max_num_queries(11):
        assert client.get(GUIDE_URL).status_code == 200
    with django_assert_num_queries(0):
        home.guide.guide_html()


def test_nobody_outside_the_admin_reads_it(client, db, django_user_model):
    image = reverse("editor_guide_image", args=["dashboard.png"])
    for url in (GUIDE_URL, image):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    client.force_login(django_user_model.objects.create_user("visitor", password="x"))
    for url in (GUIDE_URL, image):
        assert client.get(url).status_code in (302, 403)


def test_only_the_guide_s_own_screenshots_are_served(admin_client):
    assert admin_client.get("/admin/guide/img/no_such_shot.png").status_code == 404
    for path in (
        "/admin/guide/img/../editor-guide.md",
        "/admin/guide/img/%2e%2e%2fapi.md",
        "/admin/guide/img/dashboard.png.md",
    ):
        assert admin_client.get(path, follow=True).status_code == 404


def test_an_edited_guide_is_served_as_edited(admin_client, tmp_path, monkeypatch):
    """Rendered once per version of the file, not once per process."""
    guide = tmp_path / "editor-guide.md"
    guide.write_text("# Посібник\n\n## Перший розділ\n", encoding="utf-8")
    monkeypatch.setattr(home.guide, "GUIDE", guide)
    assert "Перший розділ" in admin_client.get(GUIDE_URL).content.decode()
    guide.write_text("# Посібник\n\n## Другий розділ\n", encoding="utf-8")
    stat = guide.stat()
    os.utime(guide, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    markup = admin_client.get(GUIDE_URL).content.decode()
    assert "Другий розділ" in markup
    assert "Перший розділ" not in markup
