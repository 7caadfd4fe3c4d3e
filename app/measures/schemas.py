"""The catalogue as the API gives it (GET /api/v1/measures)."""

from __future__ import annotations

from marshmallow import Schema, fields


class TargetOut(Schema):
    key = fields.String()
    #: indicator (a number), milestone (a year), statement (words only)
    kind = fields.String()
    statement_ja = fields.String()
    statement_en = fields.String()
    value = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True)
    target_year = fields.Integer(allow_none=True)
    #: fiscal (April to March) or calendar
    year_basis = fields.String(allow_none=True)
    baseline_value = fields.Float(allow_none=True)
    baseline_year = fields.Integer(allow_none=True)
    #: the stated change on the baseline, in per cent (+50: half as much again)
    change_percent = fields.Float(allow_none=True)
    countries = fields.List(fields.String())
    page = fields.Integer()


class MeasureOut(Schema):
    code = fields.String()
    #: section, subsection, measure or sheet
    level = fields.String()
    parent = fields.String(allow_none=True)
    section = fields.Integer()
    subsection = fields.Integer(allow_none=True)
    page = fields.Integer()
    title_ja = fields.String()
    title_en = fields.String()
    page_title_ja = fields.String(allow_none=True)
    targets = fields.List(fields.Nested(TargetOut))


class EditionOut(Schema):
    title_ja = fields.String()
    title_en = fields.String()
    issued_on = fields.String()


class MeasureListOut(Schema):
    edition = fields.Nested(EditionOut)
    items = fields.List(fields.Nested(MeasureOut))
