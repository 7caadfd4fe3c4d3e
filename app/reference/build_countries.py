"""Generate data/country.csv from pycountry (ISO 3166-1), once, by hand.

    python -m app.reference.build_countries

The app never calls pycountry for countries at run time: the CSV is committed and reviewed,
so a pycountry upgrade cannot silently rename a country in issued documents. Run this again
after a pycountry upgrade or a change in OECD membership or Basel status, and review the diff.

Sources of the attributes (see the ``source`` column of each row):
- OECD membership: the 38 members of the OECD (general knowledge, not re-checked against
  oecd.org for this build); ``oecd_since`` only for the four most recent accessions.
- Basel status: 190 Parties = 187 UN member states + Cook Islands + State of Palestine + EU.
  UN member states that are not Parties: Timor-Leste, Fiji, Haiti, San Marino, South Sudan and
  the United States (secondary source techsb.ca/basel-convention, quoting Wikipedia; Haiti and
  the US signed but never ratified: soluzioniplastiche.com). Status changes over time; check
  the Secretariat's list before relying on it.
- Territories that are not States are not Parties in their own right. Where the sovereign's
  ratification plainly covers them (EU outermost regions, Åland; Hong Kong and Macao under
  China's instrument) they are marked Parties; for the rest ``basel_party`` is null, meaning
  "check the sovereign's declaration on territorial application", never a silent yes or no.
"""

from __future__ import annotations

import csv
import gettext
import json
from pathlib import Path

import pycountry

from .datafiles import CODE_COLUMNS, DATA_DIR

# fmt: off
OECD_MEMBERS = frozenset({
    "AU", "AT", "BE", "CA", "CL", "CO", "CR", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU",
    "IS", "IE", "IL", "IT", "JP", "KR", "LV", "LT", "LU", "MX", "NL", "NZ", "NO", "PL", "PT",
    "SK", "SI", "ES", "SE", "CH", "TR", "GB", "US",
})
#: accession dates of the members that joined after this system's oldest likely cases
OECD_SINCE = {"LV": "2016-07-01", "LT": "2018-07-05", "CO": "2020-04-28", "CR": "2021-05-25"}

#: UN member states (and the Holy See) that are not Parties to the Basel Convention
BASEL_NON_PARTIES = {
    "US": "signatory (1990), not a Party",
    "HT": "signatory (1989), not a Party",
    "TL": "not a Party",
    "FJ": "not a Party",
    "SM": "not a Party",
    "SS": "not a Party",
    "VA": "not a Party (not among the 190 Parties)",
}

#: ISO 3166-1 entries that are not States, with their sovereign ("" where disputed or none)
TERRITORIES = {
    "AS": "US", "AI": "GB", "AQ": "", "AW": "NL", "AX": "FI", "BL": "FR", "BM": "GB", "BQ": "NL",
    "BV": "NO", "CC": "AU", "CK": "NZ", "CW": "NL", "CX": "AU", "EH": "", "FK": "GB", "FO": "DK",
    "GF": "FR", "GG": "GB", "GI": "GB", "GL": "DK", "GP": "FR", "GS": "GB", "GU": "US", "HK": "CN",
    "HM": "AU", "IM": "GB", "IO": "GB", "JE": "GB", "KY": "GB", "MF": "FR", "MO": "CN", "MP": "US",
    "MQ": "FR", "MS": "GB", "NC": "FR", "NF": "AU", "NU": "NZ", "PF": "FR", "PM": "FR", "PN": "GB",
    "PR": "US", "RE": "FR", "SH": "GB", "SJ": "NO", "SX": "NL", "TC": "GB", "TF": "FR", "TK": "NZ",
    "TW": "", "UM": "US", "VG": "GB", "VI": "US", "WF": "FR", "YT": "FR",
}
# fmt: on

#: territories whose Basel status is clear: (is a Party, why)
TERRITORY_STATUS = {
    "CK": (True, "Party in its own right (accession 2004-06-29)"),
    "HK": (True, "covered by China's instrument (Special Administrative Region)"),
    "MO": (True, "covered by China's instrument (Special Administrative Region)"),
    "AX": (True, "integral part of Finland"),
    "GF": (True, "integral part of France (EU outermost region)"),
    "GP": (True, "integral part of France (EU outermost region)"),
    "MQ": (True, "integral part of France (EU outermost region)"),
    "RE": (True, "integral part of France (EU outermost region)"),
    "YT": (True, "integral part of France (EU outermost region)"),
    "MF": (True, "integral part of France (EU outermost region)"),
    "NU": (False, "not among the 190 Parties"),
    "TW": (False, "not among the 190 Parties"),
    "AQ": (False, "no State; Art. 4(6) bars export for disposal south of 60° S"),
}

#: names replaced for use in Japanese government documents: (label_en, label_ja, why)
NAME_OVERRIDES = {
    "TW": ("Taiwan", "台湾", "ISO short name replaced by the name used in Japanese official usage"),
}

#: misspellings in the iso-codes Japanese translation, corrected: code -> (wrong, right)
LABEL_JA_CORRECTIONS = {
    "TZ": ("タニザニア連合共和国", "タンザニア連合共和国"),
}

#: readings (hiragana) of the Japanese names that begin with kanji, so that lists sort in
#: gojūon order (JIS X 4061) rather than by character code; katakana names are their own
#: reading
READINGS_JA = {
    "AQ": "なんきょくたいりく", "AS": "べいりょうさもあ", "CF": "ちゅうおうあふりかきょうわこく",
    "CN": "ちゅうごく", "EH": "にしさはら", "GB": "えいこく", "GF": "ふつりょうぎあな",
    "GQ": "せきどうぎにあ", "HK": "ほんこん", "IO": "えいこくいんどようりょうど",
    "JP": "にほん", "KP": "ちょうせんみんしゅしゅぎじんみんきょうわこく",
    "KR": "だいかんみんこく", "MK": "きたまけどにあ", "MP": "きたまりあなしょとう",
    "PF": "ふつりょうぽりねしあ", "SS": "みなみすーだん", "TL": "ひがしてぃもーる",
    "TW": "たいわん", "US": "べいこく", "VA": "せいちょう", "VG": "えいりょうゔぁーじんしょとう",
    "VI": "べいりょうゔぁーじんしょとう", "ZA": "みなみあふりか",
}

ISO_SOURCE = "ISO 3166-1 via pycountry {version} (label_ja: iso-codes ja translation)"
OECD_SOURCE = "OECD membership: 38 members (general knowledge)"
BASEL_SOURCE = (
    "Basel status: 190 Parties; non-Party UN members per techsb.ca/basel-convention "
    "(secondary); US/Haiti signatories per soluzioniplastiche.com"
)


def build(path: Path = DATA_DIR / "country.csv") -> int:
    """Write the CSV; returns the number of rows."""
    ja = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"])
    rows = [_row(country, ja) for country in sorted(pycountry.countries, key=lambda c: c.alpha_2)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CODE_COLUMNS)
        writer.writerows(rows)
    return len(rows)


def _row(country, ja: gettext.NullTranslations) -> list[str]:
    code = country.alpha_2
    source = "; ".join((ISO_SOURCE.format(version=_pycountry_version()), OECD_SOURCE, BASEL_SOURCE))
    attributes = _attributes(code)
    label_en, label_ja = country.name, ja.gettext(country.name)
    if code in NAME_OVERRIDES:
        label_en, label_ja, attributes["name_note"] = NAME_OVERRIDES[code]
    if code in LABEL_JA_CORRECTIONS and label_ja == LABEL_JA_CORRECTIONS[code][0]:
        label_ja = LABEL_JA_CORRECTIONS[code][1]
        attributes["name_note"] = "misspelling of the iso-codes Japanese translation corrected"
    if code in READINGS_JA:
        attributes["reading_ja"] = READINGS_JA[code]
    encoded = json.dumps(attributes, ensure_ascii=False, sort_keys=True)
    return [code, label_en, label_ja, "", "", source, encoded]


def _attributes(code: str) -> dict:
    party, basis = _basel_status(code)
    attributes = {"oecd": code in OECD_MEMBERS, "basel_party": party, "basel_basis": basis}
    if code in OECD_SINCE:
        attributes["oecd_since"] = OECD_SINCE[code]
    if TERRITORIES.get(code):
        attributes["sovereign"] = TERRITORIES[code]
    return attributes


def _basel_status(code: str) -> tuple[bool | None, str]:
    if code in TERRITORY_STATUS:
        return TERRITORY_STATUS[code]
    if code in TERRITORIES:
        return None, "territory: check the sovereign's territorial application"
    if code in BASEL_NON_PARTIES:
        return False, BASEL_NON_PARTIES[code]
    return True, "Party"


def _pycountry_version() -> str:
    from importlib.metadata import version

    return version("pycountry")


if __name__ == "__main__":
    print(f"wrote {build()} countries")
