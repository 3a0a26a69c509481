"""Uploads in the admin: images too large to decode safely and script-carrying formats
are refused with a message; documents are served as downloads."""

import io
import struct
import tracemalloc
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from documents.factories import DocumentFactory


def png_chunk(kind, data):
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def huge_png(width=20_000, height=20_000):
    """A genuine 1-bit PNG of width × height: tiny on disk (its rows are all zeros),
    400 million pixels once decoded. Written row by row, never held in memory."""
    row = b"\x00" + bytes((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", data)
        + png_chunk(b"IEND", b"")
    )


def animated_gif(size=600, frames=180):
    """600 × 600 × 180 frames: 65 million pixels, past the limit."""
    buffer = io.BytesIO()
    images = [Image.new("P", (size, size), index % 2) for index in range(frames)]
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=40)
    return buffer.getvalue()


def upload_image(admin_client, name, content):
    return admin_client.post(
        "/admin/images/add/",
        {"title": name, "file": SimpleUploadedFile(name, content), "collection": 1},
    )


def test_a_20000_by_20000_png_is_refused_without_being_decoded(admin_client, db):
    content = huge_png()
    assert len(content) < 200_000
    tracemalloc.start()
    response = upload_image(admin_client, "huge.png", content)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert "400000000" in errors[0] or "пікс" in errors[0].lower()
    assert peak < 100 * 1024 * 1024  # not the 400 MB a decoded image would take


@pytest.mark.slow
def test_a_huge_animated_gif_is_refused(admin_client, db):
    response = upload_image(admin_client, "animation.gif", animated_gif())
    assert response.status_code == 200
    assert "кадрів по 600 × 600 пікселів" in response.context["form"].errors["file"][0]


def test_an_svg_image_is_refused(admin_client, db):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = upload_image(admin_client, "logo.svg", svg)
    assert response.status_code == 200
    assert "file" in response.context["form"].errors


@pytest.mark.parametrize("name", ["page.html", "page.htm", "drawing.svg", "script.js"])
def test_html_svg_and_scripts_are_refused_as_documents(admin_client, db, name):
    response = admin_client.post(
        "/admin/documents/add/",
        {"title": name, "file": SimpleUploadedFile(name, b"<script>alert(1)</script>")},
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors


@pytest.mark.parametrize(("name", "content_type"), [("plan.pdf", "application/pdf")])
def test_documents_are_served_as_downloads_with_a_safe_type(client, db, name, content_type):
    document = DocumentFactory(file__filename=name)
    response = client.get(document.url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    # Wagtail's own policy for the file, and no page may frame it.
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
