"""The only URL fetcher WeasyPrint gets: it serves the PDF font and stylesheet, nothing else.

Templates reference these assets by absolute `eproc://` URLs. Any other URL — `file://`,
`http(s)://`, `data:`, a relative path — is refused, so neither a template nor text a user
typed can make the renderer read local files or reach the network.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

from .fonts import font_bytes

SCHEME = "eproc"
BASE_URL = f"{SCHEME}://static/"
STATIC = Path(__file__).resolve().parent / "static"
FONT_URL = f"{SCHEME}://fonts/ipaexg.ttf"
CSS_URL = f"{BASE_URL}forms.css"

log = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """A URL the PDF renderer may not fetch."""


def _css() -> bytes:
    return (STATIC / "forms.css").read_bytes()


#: exact URL -> (media type, loader); there is no path resolution, hence no traversal
ASSETS: dict[str, tuple[str, Callable[[], bytes]]] = {
    FONT_URL: ("font/ttf", font_bytes),
    CSS_URL: ("text/css; charset=utf-8", _css),
}


class SafeFetcher(URLFetcher):
    """Answers the URLs in ASSETS from memory/disk; raises RefusedURL for everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=(SCHEME,), allow_redirects=False)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        asset = ASSETS.get(url)
        if asset is None:
            log.warning("PDF renderer refused to fetch %.200s", url)
            raise RefusedURL(f"refused: {url[:200]}")
        media_type, load = asset
        return URLFetcherResponse(url, load(), {"Content-Type": media_type})


safe_fetcher = SafeFetcher()
