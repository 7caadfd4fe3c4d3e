"""The code lists the message schemas use, published beside the schemas and over HTTP.

The schemas check the shape of a code, not that it exists (XSD 1.0 cannot follow a list that
changes with time): a partner needs the lists themselves, each row with its validity. The
published files in xml_schemas/codelists/ are byte-for-byte copies of the reference files the
receiver checks codes against (`flask partners publish-codelists` writes them; a test keeps them
equal), so a code list's version — the SHA-256 of its file — is the same on both sides.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

from app.reference.datafiles import DATA_DIR

from .schemas import SCHEMA_DIR

CODELIST_DIR = SCHEMA_DIR / "codelists"


@dataclass(frozen=True)
class CodeList:
    name: str
    #: what in the messages takes its codes from this list (scheme attribute or element)
    used_for: str


#: every list a message's codes come from, in the order the interface document lists them
PUBLISHED: tuple[CodeList, ...] = (
    CodeList("basel_viii", 'Identification scheme="BASEL_VIII" (Basel Convention Annex VIII)'),
    CodeList("basel_ix", 'Identification scheme="BASEL_IX" (Basel Convention Annex IX)'),
    CodeList("y_code", 'Identification scheme="BASEL_II_Y" and scheme="Y" (Basel Convention '
                       "Annexes I and II)"),
    CodeList("oecd_gc", 'Identification scheme="OECD" (OECD Decision C(2001)107/FINAL)'),
    CodeList("h_code", 'Identification scheme="H" (Basel Convention Annex III)'),
    CodeList("un_class", 'Identification scheme="UN_CLASS"'),
    CodeList("hs", 'Identification scheme="HS" (WCO Harmonized System)'),
    CodeList("operation", 'OperationCode / Operation/Code scheme="OPERATION" (Basel Convention '
                          "Annex IV)"),
    CodeList("packaging", 'Packaging scheme="PACKAGING"'),
    CodeList("physical", 'PhysicalCharacteristics scheme="PHYSICAL"'),
    CodeList("transport_mode", "TransportMode, Carrier/TransportMode"),
    CodeList("unit", "the unit attribute of quantities"),
    CodeList("competent_authority", "SenderAuthority, ReceiverAuthority, State/AuthorityCode"),
    CodeList("country", "CountryCode (ISO 3166-1 alpha-2)"),
)
BY_NAME = {c.name: c for c in PUBLISHED}


def source_file(name: str) -> Path:
    return DATA_DIR / f"{name}.csv"


def published_file(name: str) -> Path:
    return CODELIST_DIR / f"{name}.csv"


def publish(target: Path = CODELIST_DIR) -> list[Path]:
    """Copy every published list from the reference data (what the receiver checks against)."""
    target.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copyfile(source_file(c.name), target / f"{c.name}.csv"))
            for c in PUBLISHED]


def describe(code_list: CodeList, directory: Path = CODELIST_DIR) -> dict:
    """Version (SHA-256 of the file), row count and the latest validity date of one list."""
    content = (directory / f"{code_list.name}.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    dates = [d for r in rows for d in (r["valid_from"], r["valid_to"]) if d]
    return {"name": code_list.name, "file": f"codelists/{code_list.name}.csv",
            "used_for": code_list.used_for, "version": hashlib.sha256(content).hexdigest(),
            "rows": len(rows), "latest_validity_date": max(dates) if dates else None}


def index(directory: Path = CODELIST_DIR) -> list[dict]:
    return [describe(c, directory) for c in PUBLISHED]
