"""marshmallow fields for what people type and send: text without hidden controls, bounded ints.

Every string a form or the API accepts goes through one of these, so the same rules hold
everywhere: no NUL (PostgreSQL refuses it in text), no other control characters, no lone
UTF-16 surrogates (not encodable as UTF-8), no Unicode bidirectional overrides or isolates
(Unicode Technical Standard #39 / CVE-2021-42574 "Trojan Source": they make a name read
differently from what is stored), and a length cap where the column itself has none.
"""

from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate

from workflows.base import N_

#: free text (reasons, conditions, descriptions) has no limit in its Text column
FREE_TEXT_MAX = 10_000
#: ids, versions and counts: what an INTEGER column holds on PostgreSQL (int4); SQLite
#: holds more, but a larger number would fail there only on PostgreSQL
INT_MAX = 2**31 - 1
#: no JSON number beyond a signed 64-bit integer reaches a driver or a JSON column
INT64_MAX = 2**63 - 1

#: LRE, RLE, PDF, LRO, RLO and LRI, RLI, FSI, PDI: they reorder the text around them
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
#: LRM and RLM: harmless in running text, but they can flip how a name is shown
_BIDI_MARKS = "\u200e\u200f"
_SURROGATE = re.compile("[\ud800-\udfff]")
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f]")
_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab and newlines allowed
_BIDI = re.compile(f"[{_BIDI_CONTROLS}]")
_BIDI_OR_MARK = re.compile(f"[{_BIDI_CONTROLS}{_BIDI_MARKS}]")

NO_CONTROLS = N_("Remove the control characters (such as NUL) from this text.")
NO_BIDI = N_("Remove the hidden text-direction characters (Unicode bidirectional controls): "
             "they change how the text reads.")
NO_SURROGATE = N_("This text is not valid Unicode.")


def text_problem(value: str, *, multiline: bool = True, name: bool = False) -> str | None:
    """Why `value` cannot be stored as typed text, or None when it can."""
    if _SURROGATE.search(value):
        return NO_SURROGATE
    if (_TEXT_CONTROLS if multiline else CONTROL_CHARACTERS).search(value):
        return NO_CONTROLS
    if (_BIDI_OR_MARK if name else _BIDI).search(value):
        return NO_BIDI
    return None


def searched(args, name: str, limit: int) -> str:
    """What was typed in the search box `name` of a query string (`args`): a search is
    forgiving, so control characters (NUL) are dropped, not refused; cut at `limit`."""
    return CONTROL_CHARACTERS.sub("", args.get(name) or "")[:limit]


def check_free_text(field: str, value: str | None) -> None:
    """FreeText's rules for a value that does not come through a schema."""
    if value is None:
        return
    try:
        FreeText().deserialize(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


class _Typed(fields.String):
    multiline = False
    refuse_marks = False

    def __init__(self, *, max_length: int | None = None, min_length: int | None = None,
                 **kwargs):
        if max_length is not None or min_length is not None:
            length = validate.Length(min=min_length, max=max_length)
            kwargs["validate"] = [length, *_as_list(kwargs.get("validate"))]
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if problem := text_problem(text, multiline=self.multiline, name=self.refuse_marks):
            raise ValidationError(problem)
        return text


def _as_list(validators) -> list:
    if validators is None:
        return []
    return list(validators) if isinstance(validators, (list, tuple)) else [validators]


class Line(_Typed):
    """One line: codes, numbers, places, references."""


class Name(_Typed):
    """A person's or organisation's name: no direction marks either."""

    refuse_marks = True


class FreeText(_Typed):
    """Several lines of prose; capped at FREE_TEXT_MAX unless a smaller cap is given."""

    multiline = True

    def __init__(self, *, max_length: int | None = FREE_TEXT_MAX, **kwargs):
        super().__init__(max_length=max_length, **kwargs)


class StoredInt(fields.Integer):
    """An integer an INTEGER column can store and compare (ids, versions, pages, seq)."""

    def __init__(self, *, min_value: int = 0, max_value: int = INT_MAX, **kwargs):
        kwargs["validate"] = [validate.Range(min=min_value, max=max_value),
                              *_as_list(kwargs.get("validate"))]
        super().__init__(**kwargs)
