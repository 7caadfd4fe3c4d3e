"""Library messages users see, marked here so `pybabel extract` puts them in the catalogue.

marshmallow and WTForms produce these texts themselves; the app shows them through gettext
(templates' `_(message)`, app/api/problems.py), so each needs a msgid in our catalogue. Only
texts that reach the user exactly as written are listed: messages whose placeholders the
library fills in before we see them ("Longer than maximum length 4000.") cannot match a msgid.
Keep each text identical to the library's default (marshmallow/fields.py, validate.py,
schema.py; wtforms/validators.py).
"""

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
