"""HTML to PDF: a Jinja template under templates/pdf/ with plain values, through WeasyPrint.

The caller chooses the language (`flask_babel.force_locale`) and builds the context with
`app.documents.context`; nothing here touches the database.
"""

from __future__ import annotations

from flask import render_template
from weasyprint import HTML

from .fetcher import BASE_URL, safe_fetcher
from .fonts import font_path


def render_html(template: str, context: dict) -> str:
    return render_template(f"pdf/{template}", **context)


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint with the restrictive fetcher; fails loudly if the Japanese font is missing
    rather than letting the text fall back to whatever fonts the system has."""
    font_path()
    return HTML(string=html, url_fetcher=safe_fetcher, base_url=BASE_URL).write_pdf()


def render_pdf(template: str, context: dict) -> bytes:
    return html_to_pdf(render_html(template, context))
