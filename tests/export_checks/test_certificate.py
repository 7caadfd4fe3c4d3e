"""The certificate as a PDF in Japanese and English, for the exporter and customs, once the
consignment is confirmed; stored and served again byte for byte."""

from __future__ import annotations

from app.export_checks.models import ExportCheck
from app.extensions import db
from tests.documents.pdfs import text_of
from tests.factories import login

from .conftest import file_check


def _pdf(client, case, lang):
    return client.get(f"/cases/{case.id}/documents/export_certificate.pdf?lang={lang}")


def test_certificate_pdf_in_japanese_and_english(people, client):
    from .conftest import confirmed
    case = confirmed(people)
    login(client, people["exporter"])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "export_certificate.pdf" in page
    for lang in ("ja", "en"):
        response = _pdf(client, case, lang)
        assert response.status_code == 200 and response.data.startswith(b"%PDF-")
        assert _pdf(client, case, lang).data == response.data  # the issued one, again
        text = text_of(response.data)
        assert db.session.get(ExportCheck, case.id).certificate_no in text
        assert "ThinkPad X1" in text and "MSCU1234565" in text
    assert "Ministry of the Environment" in text_of(_pdf(client, case, "en").data)
    assert "環境省" in text_of(_pdf(client, case, "ja").data)


def test_customs_may_download_it(people, client):
    from .conftest import confirmed
    case = confirmed(people)
    login(client, people["customs"])
    assert _pdf(client, case, "en").status_code == 200


def test_no_certificate_before_the_decision(people, client):
    case = file_check(people["exporter"])
    login(client, people["exporter"])
    assert _pdf(client, case, "en").status_code in (404, 409)
