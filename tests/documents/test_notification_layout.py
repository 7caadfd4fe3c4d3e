"""The notification document prints each thing once."""

from __future__ import annotations

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
