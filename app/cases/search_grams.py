"""Short searches in Japanese: the two-character grams of every text the search box reads.

A trigram index answers '%リサイクル株式%' but not '%大阪%': a pattern of one or two characters
holds no trigram, so the database read every party of every case (26 s at a million cases).
Each case therefore keeps the distinct two-character grams of its searched texts (its number,
and what its procedure declares in `Procedure.searched_texts`: party names, codes ...),
lower-cased, with a space after the last character so that every character begins a gram:

    "大阪Eco" -> 大阪, 阪e   ("ec", "co", "o " are left out: ASCII only, see below)

A two-character query is then one index lookup (gram = '大阪') and a one-character query a
range of it (grams that begin with 大). Only grams with a character beyond ASCII are kept: an
ASCII query of one or two letters matches most numbers and codes, so it keeps the LIKE (and
stops at the count's cap), while the table stays small (English names add nothing). Typed
text is stripped, so no query ends in a space and the trailing space never matches a query
of two characters; queries with LIKE's wildcards (% and _) keep the LIKE as well.

The grams are written in the same flush as the texts (after_flush: every ORM write of a
searched text, a new case number, a deleted row), by whoever INSERTs texts around the ORM
(`refresh_inserted`), and backfilled by migration p16s00000010.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

from sqlalchemy import ForeignKey, Select, String, delete, event, insert, select
from sqlalchemy.orm import Mapped, Session, attributes, mapped_column

from app.extensions import db

from .models import Case

#: follows the last character, so that the last one also begins a gram (one-character queries)
END = " "
#: the last character there is: a range over grams starting with `c` ends at c + LAST
LAST = "\U0010ffff"
#: a gram compares by code point (PostgreSQL's "C" collation; SQLite's default is binary),
#: so that the grams beginning with one character are one range of the index
GRAM = String(2).with_variant(String(2, collation="C"), "postgresql")


class SearchGram(db.Model):
    """One two-character gram (lower case, with a character beyond ASCII) of a case's texts."""

    __tablename__ = "case_search_grams"

    gram: Mapped[str] = mapped_column(GRAM, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)


def grams(text: str | None) -> set[str]:
    """The grams kept for one text."""
    if not text:
        return set()
    folded = text.lower() + END
    pairs = (folded[i:i + 2] for i in range(len(folded) - 1))
    return {pair for pair in pairs if not pair.isascii()}


def serves(typed: str) -> bool:
    """Whether the grams answer this (normalised, stripped) query exactly as LIKE would."""
    return (1 <= len(typed) <= 2 and not typed.isascii() and len(typed.lower()) == len(typed)
            and not any(c in typed for c in "%_\\"))


def case_ids(typed: str) -> Select:
    """The ids of the cases whose searched texts contain `typed` (see `serves`)."""
    folded = typed.lower()
    if len(folded) == 2:
        found = SearchGram.gram == folded
    else:
        found = SearchGram.gram.between(folded, folded + LAST)
    return select(SearchGram.case_id).where(found)


# --- keeping the grams current ---------------------------------------------------------------

def searched_texts() -> list:
    """Every column the grams are made of: the case number, and the procedures' texts."""
    from .procedures import procedures

    return [Case.number, *chain.from_iterable(p.searched_texts for p in procedures())]


def _case_id_of(column):
    """The column that names the case of a searched text's row (Case.id for the number)."""
    return Case.id if column.class_ is Case else column.class_.case_id


def _by_model() -> dict[type, list[str]]:
    """The searched columns' names, by model."""
    columns: dict[type, list[str]] = {}
    for column in searched_texts():
        columns.setdefault(column.class_, []).append(column.key)
    return columns


def _changed_cases(session: Session) -> set[int]:
    """The cases whose grams this flush may change: a searched text beyond ASCII written,
    added or deleted (an ASCII text has no grams: a new case number changes none)."""
    columns = _by_model()
    changed: set[int] = set()
    for objects, deleted in ((session.new, False), (session.dirty, False),
                             (session.deleted, True)):
        for obj in objects:
            names = columns.get(type(obj))
            if names and any(_may_change_grams(obj, name, deleted) for name in names):
                changed.add(_owner(obj))
    changed.discard(None)
    return changed


def _may_change_grams(obj, name: str, deleted: bool) -> bool:
    history = attributes.get_history(obj, name, passive=attributes.PASSIVE_NO_INITIALIZE)
    values = [*history.added, *history.deleted, *(history.unchanged if deleted else ())]
    if deleted and not values:
        return True  # a deleted row whose text was never loaded: ask the database
    return any(isinstance(v, str) and not v.isascii() for v in values)


def _owner(obj) -> int | None:
    return obj.id if isinstance(obj, Case) else obj.case_id


def refresh(connection, case_ids: Iterable[int]) -> None:
    """Write again the grams of these cases from their texts as the database holds them."""
    ids = sorted(case_ids)
    if not ids:
        return
    table = SearchGram.__table__
    connection.execute(delete(table).where(table.c.case_id.in_(ids)))
    rows: set[tuple[str, int]] = set()
    for model, names in _by_model().items():
        case_id = Case.id if model is Case else model.case_id
        texts = [getattr(model, name) for name in names]
        for owner, *values in connection.execute(select(case_id, *texts)
                                                 .where(case_id.in_(ids))):
            rows.update((gram, owner) for value in values for gram in grams(value))
    if rows:
        connection.execute(insert(table), [{"gram": g, "case_id": c} for g, c in sorted(rows)])


def postgresql_rebuild() -> str:
    """SQL that writes every case's grams at once, set-based (PostgreSQL; for data loaded
    around the ORM, as the benches' generator does): the migration's backfill, made of the
    searched texts registered now."""
    texts = " UNION ALL ".join(
        f"SELECT {_case_id_of(c).key} AS case_id, {c.key} AS text FROM {c.class_.__tablename__}"
        for c in searched_texts())
    return f"""
        DELETE FROM case_search_grams;
        INSERT INTO case_search_grams (gram, case_id)
        SELECT DISTINCT g.gram, t.case_id FROM ({texts}) AS t
        CROSS JOIN LATERAL (SELECT substr(lower(t.text) || '{END}', i, 2) AS gram
                            FROM generate_series(1, char_length(t.text)) AS i) AS g
        WHERE octet_length(t.text) > char_length(t.text)
          AND octet_length(g.gram) > char_length(g.gram)"""


def refresh_inserted(connection, rows_by_model: dict[type, list[dict]]) -> None:
    """Rows INSERTed around the ORM (one statement for many) are not seen by the flush that
    keeps the grams current: the grams of their cases are written again, once, when one of
    the rows has any."""
    names = _by_model()
    refresh(connection, {row["case_id"] for model, rows in rows_by_model.items()
                         for row in rows
                         if any(grams(row.get(name)) for name in names.get(model, ()))})


def _after_flush(session: Session, _flush_context) -> None:
    refresh(session.connection(), _changed_cases(session))


def keep_current() -> None:
    """Write every case's grams in the flush that changes its texts (once per process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
