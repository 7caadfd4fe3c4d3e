"""Reading rendered PDFs back: their text (pypdf) and the fonts they embed."""

from __future__ import annotations

import io
import re
from functools import cache

from fontTools.ttLib import TTFont
from pypdf import PdfReader

from app.documents.fonts import font_path

#: a subset of IPAexGothic as WeasyPrint embeds it (its synthetic bold is named -Bold)
IPAEX = re.compile(r"^/[A-Z]{6}\+IPAexGothic(-Bold)?$")


def reader(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in reader(content).pages)


def squeezed(text: str) -> str:
    """Without any whitespace: line breaks of the layout do not matter then."""
    return re.sub(r"\s+", "", text)


def missing(content: bytes | str, expected: list[str]) -> list[str]:
    """The expected strings the PDF (or its text, extracted once) does not contain,
    whitespace ignored."""
    found = squeezed(content if isinstance(content, str) else text_of(content))
    return [e for e in expected if squeezed(e) not in found]


def embedded_fonts(content: bytes) -> list[dict[str, object]]:
    """Each font the pages use: its name and whether the font program is embedded."""
    fonts = []
    for page in reader(content).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendant = font["/DescendantFonts"][0].get_object() \
                if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            fonts.append({"name": str(font["/BaseFont"]),
                          "embedded": any(k in descriptor for k in
                                          ("/FontFile", "/FontFile2", "/FontFile3"))})
    return fonts


@cache
def ipaex_characters() -> frozenset[int]:
    return frozenset(TTFont(font_path()).getBestCmap())


def assert_set_in_ipaexgothic(content: bytes) -> None:
    """Every font is an embedded IPAexGothic subset (no fallback to a system font), and
    every character of the text has a glyph in IPAexGothic (no missing-glyph boxes)."""
    fonts = embedded_fonts(content)
    assert fonts, "the PDF uses no font"
    assert [f["name"] for f in fonts if not IPAEX.match(f["name"])] == []
    assert all(f["embedded"] for f in fonts)
    text = text_of(content)
    assert "\ufffd" not in text
    assert sorted({c for c in squeezed(text) if ord(c) not in ipaex_characters()}) == []
