"""The notification document prints each thing once."""

from __future__ import annotations

from .conftest import download, signed_in
from .pdfs import text_of


def test_the_means_of_transport_is_printed_once(app, active, people):
    content = download(signed_in(app, people["exporter"]), active.id, "notification",
                       lang="en").data
    assert text_of(content).count("Means of transport") == 1
