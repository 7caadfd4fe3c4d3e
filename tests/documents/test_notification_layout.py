"""The notification document prints each thing once and keeps long text inside its box."""

from __future__ import annotations

from datetime import UTC

from .conftest import download, signed_in
from .pdfs import text_of


def test_the_means_of_transport_is_printed_once(app, active, people):
    content = download(signed_in(app, people["exporter"]), active.id, "notification",
                       lang="en").data
    assert text_of(content).count("Means of transport") == 1


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end, text.index(start))]


def test_blocks_18_and_19_name_the_facility_not_the_exporter_who_filed_them(app, shipment,
                                                                             people):
    content = download(signed_in(app, people["exporter"]), shipment.id, "movement_document",
                       lang="en").data
    text = " ".join(text_of(content).split())
    block_18 = _between(text, "Shipment received at disposal / recovery facility",
                        "Certificate of recovery/disposal")
    block_19 = text[text.index("Certificate of recovery/disposal"):]
    for block in (block_18, block_19):
        assert "Pacific Metals Recovery Inc." in block
        assert f"Signature {people['exporter'].name}" not in block


def _overflowing_text(html: str) -> list[str]:
    """The pieces of text WeasyPrint lays out beyond the right edge of their page."""
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import TextBox

    from app.documents.fetcher import BASE_URL, safe_fetcher

    document = HTML(string=html, url_fetcher=safe_fetcher, base_url=BASE_URL).render()
    out = []
    for page in document.pages:
        right = page.width
        for box in page._page_box.descendants():  # the laid-out boxes (no public API)
            if isinstance(box, TextBox) and box.position_x + box.width > right + 0.5:
                out.append(box.text)
    return out


def test_a_long_unbroken_value_wraps_inside_its_box(app, submitted):
    from datetime import datetime

    from flask_babel import force_locale

    from app.basel import operations
    from app.cases.models import Case
    from app.documents.context import build_context
    from app.documents.render import render_html
    from app.extensions import db

    case = db.session.get(Case, submitted.id)
    operations.notification(case).parties_in("facility")[0].site = "Industrieparkwerk" * 10
    with app.test_request_context(), force_locale("en"):
        html = render_html("notification.html", build_context(
            case, "notification", datetime.now(UTC)))
        assert "Industrieparkwerk" * 10 in html
        assert _overflowing_text(html) == []
    db.session.rollback()
