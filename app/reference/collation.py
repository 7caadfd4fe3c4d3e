"""Ordering names as their readers expect: Japanese by reading in gojūon order, other
languages alphabetically without regard to accents or case.

Japanese order follows the rules of JIS X 4061 (collation of Japanese character strings) in
their simple form: compare readings in kana with voiced and semi-voiced marks and small kana
ignored, a long-vowel mark read as the vowel before it; then, where those are equal, plain
before voiced, small before large. Names written in kanji are ordered by a reading kept with
the reference data (attribute ``reading_ja``), never by character codes.
"""

from __future__ import annotations

import unicodedata

#: hiragana by the vowel they end on (a long-vowel mark repeats it)
_VOWEL_ROWS = {
    "あ": "あかさたなはまやらわがざだばぱぁゃゎ",
    "い": "いきしちにひみりぎじぢびぴぃ",
    "う": "うくすつぬふむゆるぐずづぶぷぅっゅゔ",
    "え": "えけせてねへめれげぜでべぺぇ",
    "お": "おこそとのほもよろをごぞどぼぽぉょ",
}
_VOWEL = {kana: vowel for vowel, row in _VOWEL_ROWS.items() for kana in row}
_SMALL = str.maketrans("ぁぃぅぇぉっゃゅょゎ", "あいうえおつやゆよわ")
_KATAKANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}
#: punctuation and spacing that play no part in the order
_IGNORED = str.maketrans("", "", " 　・、,()（）")
_MARKS = ("\u3099", "\u309a")  # combining voiced / semi-voiced sound marks


def _hiragana(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_KATAKANA).translate(_IGNORED)


def _long_vowels_read(text: str) -> str:
    out: list[str] = []
    for char in text:
        out.append(_VOWEL.get(out[-1], char) if char == "ー" and out else char)
    return "".join(out)


def _plain(text: str) -> str:
    """Without voicing marks, small kana as large: the primary level of the comparison."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if c not in _MARKS).translate(_SMALL)


def japanese_order_key(reading: str) -> tuple[str, str]:
    """Sort key for a Japanese reading (kana; kanji left as they are sort after kana)."""
    kana = _hiragana(reading)
    return (_plain(_long_vowels_read(kana)), kana)


def alphabetical_key(name: str) -> tuple[str, str]:
    """Sort key for a Latin-script name: Åland with the A's, case ignored."""
    decomposed = unicodedata.normalize("NFKD", name)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return (base.casefold(), name)
