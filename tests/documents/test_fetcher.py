"""WeasyPrint may fetch the PDF font and stylesheet and nothing else."""

from __future__ import annotations

import pytest

from app.documents.fetcher import CSS_URL, FONT_URL, RefusedURL, SafeFetcher
from app.documents.fonts import FAMILY, font_path
from app.documents.render import html_to_pdf

from .pdfs import text_of

REFUSED = [
    "file:///etc/passwd",
    "file://localhost/etc/passwd",
    "http://example.com/style.css",
    "https://example.com/font.ttf",
    "http://127.0.0.1:5000/static/style.css",
    "ftp://example.com/x",
    "data:text/css,body{color:red}",
    "eproc://static/../../../../etc/passwd",
    "eproc://fonts/../static/forms.css",
    "eproc://static/style.css",
    "forms.css",
    "/etc/passwd",
]


@pytest.mark.parametrize("url", REFUSED)
def test_every_other_url_is_refused(url):
    with pytest.raises(RefusedURL):
        SafeFetcher().fetch(url)


def test_the_font_and_the_stylesheet_are_served():
    font = SafeFetcher().fetch(FONT_URL)
    assert font.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    assert font.content_type == "font/ttf"
    css = SafeFetcher().fetch(CSS_URL)
    assert css.content_type == "text/css"
    assert f'font-family: "{FAMILY}"' in css.read().decode()


def test_font_is_the_one_shipped_with_japanize_matplotlib_not_a_system_font():
    path = font_path()
    assert path.name == "ipaexg.ttf" and path.parent.parent.name == "japanize_matplotlib"


def test_a_document_cannot_pull_in_local_files_or_the_network():
    html = ('<html><head><link rel="stylesheet" href="http://example.com/x.css"></head>'
            '<body><p>before</p><img src="file:///etc/passwd">'
            '<object data="file:///etc/passwd"></object>'
            '<iframe src="file:///etc/hostname"></iframe><p>after</p></body></html>')
    text = text_of(html_to_pdf(html))
    assert "before" in text and "after" in text
    assert "root:" not in text
