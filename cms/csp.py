"""The Content Security Policy's hashes of inline styles, for the settings."""

import base64
import hashlib
import re
from pathlib import Path

STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def inline_style_hashes(template):
    """CSP sources ('sha256-…') for the <style> elements of a template that renders
    without a request, such as the 500 page, which must look right even when the
    static files cannot be served. Computed from the file, so an edit cannot make it
    stale."""
    text = Path(template).read_text(encoding="utf-8")
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()}'"
        for css in STYLE_ELEMENT.findall(text)
    ]
