"""What a partner fetches before its first message: JP-MOE's certificate (with the fingerprint
MOE gives by a second channel), and the code lists the schemas use, with their version."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from app.exchange.codelists import CODELIST_DIR, PUBLISHED, source_file
from app.exchange.keys import make_test_identity, our_key_pair
from app.reference.datafiles import read_codes
from app.timeutil import utcnow

ROOT = Path(__file__).resolve().parents[2]


def test_the_certificate_endpoint_serves_what_we_sign_with(app, client):
    response = client.get("/exchange/v1/certificate")
    assert response.status_code == 200 and response.mimetype == "application/x-pem-file"
    served = x509.load_pem_x509_certificate(response.data)
    assert response.data == our_key_pair(app)[1]
    assert response.headers["X-Certificate-SHA256"] == served.fingerprint(hashes.SHA256()).hex()


def test_the_cli_prints_the_fingerprint_a_partner_compares(app, client):
    served = client.get("/exchange/v1/certificate").data
    digest = x509.load_pem_x509_certificate(served).fingerprint(hashes.SHA256()).hex()
    result = app.test_cli_runner().invoke(args=["partners", "fingerprint"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == [digest, "signing", "now"]


def test_an_announced_certificate_is_published_before_a_rotation(app, client, tmp_path):
    now = utcnow()
    _key, next_pem = make_test_identity("JP-MOE next", now, now + timedelta(days=800))
    (tmp_path / "next.pem").write_bytes(next_pem)
    app.config["EXCHANGE_ANNOUNCED_CERT_PATHS"] = str(tmp_path / "next.pem")
    listed = client.get("/exchange/v1/certificates").get_json()["certificates"]
    assert [c["signing_now"] for c in listed] == [True, False]
    assert listed[1]["pem"].encode() == next_pem
    result = app.test_cli_runner().invoke(args=["partners", "fingerprint"])
    assert result.output.splitlines()[1].endswith("announced")


def test_published_code_lists_equal_the_reference_data_the_receiver_checks_against():
    for code_list in PUBLISHED:
        published = CODELIST_DIR / f"{code_list.name}.csv"
        assert published.read_bytes() == source_file(code_list.name).read_bytes(), (
            f"{published} differs: run `flask partners publish-codelists`")
    assert {p.stem for p in CODELIST_DIR.glob("*.csv")} == {c.name for c in PUBLISHED}


def test_waste_codes_are_published_with_their_validity():
    rows = {r["code"]: r for r in csv.DictReader(
        (CODELIST_DIR / "basel_ix.csv").read_text(encoding="utf-8").splitlines())}
    assert rows["B1110"]["valid_to"] == "2024-12-31"
    viii = {r.code: r for r in read_codes(CODELIST_DIR / "basel_viii.csv")}
    assert str(viii["A1181"].valid_from) == "2025-01-01"


def test_the_code_list_endpoint_serves_each_list_with_its_version(app, client):
    index = client.get("/exchange/v1/codelists").get_json()["codelists"]
    assert [e["name"] for e in index] == [c.name for c in PUBLISHED]
    for entry in index:
        response = client.get(entry["url"])
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert hashlib.sha256(response.data).hexdigest() == entry["version"]
        assert response.headers["X-Codelist-Version"] == entry["version"]
        assert entry["rows"] == len(list(csv.DictReader(io.StringIO(response.data.decode()))))


def test_an_unknown_code_list_is_a_problem_not_a_page(app, client):
    response = client.get("/exchange/v1/codelists/passwords.csv")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "NOT_FOUND"
