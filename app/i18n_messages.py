"""Library messages users see, marked here so `pybabel extract` puts them in the catalogue.

marshmallow and WTForms produce these texts themselves; the app shows them through gettext
(templates' `_(message)`, app/api/problems.py), so each needs a msgid in our catalogue. Only
texts that reach the user exactly as written are listed: messages whose placeholders the
library fills in before we see them ("Longer than maximum length 4000.") cannot match a msgid.
Keep each text identical to the library's default (marshmallow/fields.py, validate.py,
schema.py; wtforms/validators.py).
"""

import re
from collections.abc import Iterator, Mapping
from typing import Any

from workflows.base import N_

MARSHMALLOW_MESSAGES = [
    # marshmallow.fields.Field
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    # String, Integer, Decimal/Number, Boolean, Date, DateTime, Email, List, Dict, Nested
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),  # "Not a valid {obj_type}." as DateTime fills it
    N_("Not a valid email address."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Invalid type."),
    # marshmallow.Schema
    N_("Invalid input type."),
    N_("Unknown field."),
    # marshmallow.validate
    N_("String does not match expected pattern."),
    N_("Invalid input."),
]

#: WTForms validators on the login form (Flask-WTF translates these with WTForms' own
#: catalogue while WTF_I18N_ENABLED is on; listed so ours has them too)
WTFORMS_MESSAGES = [
    N_("This field is required."),
    N_("Invalid email address."),
]

#: marshmallow messages whose numbers or choices are filled in before we see them: matched
#: by pattern and translated with the values carried over
FILLED_MESSAGES = [
    (r"^Longer than maximum length (?P<max>\d+)\.$",
     N_("Longer than maximum length %(max)s.")),
    (r"^Shorter than minimum length (?P<min>\d+)\.$",
     N_("Shorter than minimum length %(min)s.")),
    (r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$",
     N_("Length must be between %(min)s and %(max)s.")),
    (r"^Must be greater than or equal to (?P<min>[\d.]+) and less than or equal to "
     r"(?P<max>[\d.]+)\.$", N_("Must be between %(min)s and %(max)s.")),
    (r"^Must be greater than (?P<min>[\d.]+) and less than or equal to (?P<max>[\d.]+)\.$",
     N_("Must be greater than %(min)s and at most %(max)s.")),
    (r"^Must be greater than or equal to (?P<min>[\d.]+)\.$",
     N_("Must be greater than or equal to %(min)s.")),
    (r"^Must be one of: (?P<choices>.+)\.$", N_("Must be one of: %(choices)s.")),
    (r"^Unknown or expired code: (?P<codes>.+)\.$", N_("Unknown or expired code: %(codes)s.")),
]
_COMPILED = [(re.compile(pattern), msgid) for pattern, msgid in FILLED_MESSAGES]


def translate_error(message: str) -> str:
    """A validation message in the user's language, filled-in library messages included."""
    from flask_babel import gettext

    translated = gettext(message)
    if translated != message:
        return translated
    for pattern, msgid in _COMPILED:
        if match := pattern.match(message):
            return gettext(msgid, **match.groupdict())
    return message


def field_messages(messages: Mapping[str, Any]) -> dict[str, list[str]]:
    """Each field's validation messages as one flat list of texts, as a form shows them
    under the field. marshmallow gives a list field's messages per item (`{0: [...]}`) and
    a nested schema's per key; a form shows them all under the field they belong to."""
    return {field: list(dict.fromkeys(_texts(value))) for field, value in messages.items()}


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)
    else:
        yield str(value)
