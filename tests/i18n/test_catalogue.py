"""The Japanese catalogue stays complete, and the UI really comes out in Japanese and English.

A string newly wrapped in _()/N_()/_l() (or passed to ValidationError / invalid()) fails
`test_every_extracted_message_is_translated` until app/translations/ja/LC_MESSAGES/messages.po
has a translation for it. To add it:

    .venv/bin/pybabel extract -F babel.cfg -k N_ -k _l -k ValidationError -k invalid:2 \
        -o /tmp/messages.pot .
    .venv/bin/pybabel update --ignore-obsolete -i /tmp/messages.pot -d app/translations -l ja
    # translate the new empty (or fuzzy) entries in messages.po, then
    .venv/bin/pybabel compile -d app/translations
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.factories import login, make_user

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
JA_PO = TRANSLATIONS / "ja" / "LC_MESSAGES" / "messages.po"
JA_MO = JA_PO.with_suffix(".mo")
#: the keywords the catalogue is extracted with (besides Babel's defaults: _, gettext, ...)
KEYWORDS = ["N_", "_l", "ValidationError", "invalid:2"]

#: %(name)s, %(n)d, %s, %% ... as Python's % operator reads them
PERCENT = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
#: {name}, {0}, {name!r:>10} ... as str.format reads them ({{ and }} are literal braces)
BRACES = re.compile(r"\{[^{}]*\}")


def _pybabel() -> str:
    found = Path(sys.executable).with_name("pybabel")
    if found.exists():
        return str(found)
    which = shutil.which("pybabel")
    if which is None:
        pytest.fail("pybabel not found next to the interpreter or on PATH", pytrace=False)
    return which


def _read(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _strings(value) -> tuple[str, ...]:
    """msgid/msgstr as a tuple: plural entries are tuples already."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def _placeholders(text: str) -> Counter:
    found = Counter(m.group() for m in PERCENT.finditer(text) if m.group() != "%%")
    without_escapes = text.replace("{{", "").replace("}}", "")
    found.update(BRACES.findall(without_escapes))
    return found


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What the code and templates mark for translation now, extracted like `make` would."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    command = [_pybabel(), "extract", "-F", "babel.cfg"]
    for keyword in KEYWORDS:
        command += ["-k", keyword]
    command += ["-o", str(pot), "."]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return _read(pot)


@pytest.fixture(scope="module")
def ja():
    return _read(JA_PO)


# --- (a) complete ------------------------------------------------------------------------------

def test_every_extracted_message_is_translated(extracted, ja):
    problems = []
    for message in extracted:
        if not message.id:
            continue  # the header
        entry = ja.get(message.id, message.context)
        where = ", ".join(f"{path}:{line}" for path, line in message.locations[:3])
        label = f"{_strings(message.id)[0]!r} ({where})"
        if entry is None:
            problems.append(f"not in messages.po: {label}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {label}")
        elif not all(s.strip() for s in _strings(entry.string)):
            problems.append(f"no translation: {label}")
    assert not problems, (
        f"{len(problems)} message(s) lack a Japanese translation (update the catalogue as "
        "described at the top of tests/i18n/test_catalogue.py):\n  " + "\n  ".join(problems)
    )


def test_catalogue_has_no_fuzzy_or_empty_entries(ja):
    """Also entries no longer in the code: a fuzzy guess must never reach users."""
    bad = [m.id for m in ja if m.id and (m.fuzzy or not all(s.strip()
                                                             for s in _strings(m.string)))]
    assert not bad, bad


def test_catalogue_is_japanese_with_one_plural_form(ja):
    assert str(ja.locale) == "ja"
    assert ja.num_plurals == 1


# --- (b) placeholders --------------------------------------------------------------------------

def test_placeholders_are_kept(ja):
    problems = []
    for message in ja:
        if not message.id:
            continue
        ids, strings = _strings(message.id), _strings(message.string)
        expected = _placeholders(ids[-1])  # the plural msgid carries every placeholder
        for text in strings:
            if text and _placeholders(text) != expected:
                problems.append(f"{ids[0]!r}: msgid has {sorted(expected.elements())}, "
                                f"msgstr {text!r} has {sorted(_placeholders(text).elements())}")
    assert not problems, "\n".join(problems)


def test_babel_format_checks_pass(ja):
    """Babel's own checks (python-format flags, plural counts) as `pybabel compile` runs them."""
    problems = [f"{message.id!r}: {'; '.join(map(str, errors))}"
                for message, errors in ja.check()]
    assert not problems, "\n".join(problems)


# --- the library messages marked in app/i18n_messages.py --------------------------------------

def _marshmallow_defaults() -> set[str]:
    from marshmallow import Schema, fields, validate

    texts: set[str] = set(Schema._default_error_messages.values())
    for obj in vars(fields).values():
        if isinstance(obj, type) and issubclass(obj, fields.Field):
            for klass in obj.__mro__:
                for text in getattr(klass, "default_error_messages", {}).values():
                    texts.add(text)
                    if "{obj_type}" in text and hasattr(obj, "OBJ_TYPE"):
                        texts.add(text.replace("{obj_type}", obj.OBJ_TYPE))
    for obj in vars(validate).values():
        if isinstance(obj, type) and issubclass(obj, validate.Validator):
            texts.update(v for k, v in vars(obj).items()
                         if (k == "default_message" or k.startswith("message_"))
                         and isinstance(v, str))
    return texts


def test_marked_marshmallow_messages_are_the_library_defaults():
    """After a marshmallow upgrade, a changed default text would silently lose its translation."""
    from app.i18n_messages import MARSHMALLOW_MESSAGES

    defaults = _marshmallow_defaults()
    assert [m for m in MARSHMALLOW_MESSAGES if m not in defaults] == []


def test_marked_wtforms_messages_are_the_library_texts():
    import inspect

    import wtforms.validators

    from app.i18n_messages import WTFORMS_MESSAGES

    source = inspect.getsource(wtforms.validators)
    assert [m for m in WTFORMS_MESSAGES if f'"{m}"' not in source] == []


# --- (c) the pages ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compiled():
    """The .mo the app reads; `make` compiles it, this keeps a bare `pytest` run working too."""
    if not JA_MO.exists() or JA_MO.stat().st_mtime < JA_PO.stat().st_mtime:
        catalog = _read(JA_PO)
        with JA_MO.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=True)  # as `make translations` does
    return JA_MO


@pytest.fixture
def i18n_client(app, client, compiled):
    # translations loaded before the .mo was (re)compiled would still be cached
    app.extensions["babel"].instance.domain_instance.cache.clear()
    # tests/conftest.py's client asks for English by default; here each test says what the
    # browser sends, and sending nothing must give Japanese
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE", None)
    return client


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_login_page_is_japanese_for_a_japanese_browser(i18n_client):
    html = _page(i18n_client.get("/login", headers={"Accept-Language": "ja"}))
    assert '<html lang="ja">' in html
    assert "<h1>ログイン</h1>" in html
    assert ">ログイン</button>" in html
    assert "メールアドレス" in html and "パスワード" in html  # lazy_gettext field labels
    assert "循環経済 電子手続システム" in html
    assert "Sign in" not in html and "Password" not in html


def test_japanese_is_the_default_locale(i18n_client):
    html = _page(i18n_client.get("/login"))  # no Accept-Language at all
    assert '<html lang="ja">' in html and "<h1>ログイン</h1>" in html


def test_an_english_browser_gets_english(i18n_client):
    html = _page(i18n_client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"}))
    assert '<html lang="en">' in html and "<h1>Sign in</h1>" in html


def test_the_language_switch_overrides_the_browser(i18n_client):
    switched = i18n_client.post("/language", data={"language": "en", "next": "/login"},
                                headers={"Accept-Language": "ja"})
    assert switched.status_code == 302
    assert switched.headers["Location"].endswith("/login")

    html = _page(i18n_client.get("/login", headers={"Accept-Language": "ja"}))
    assert '<html lang="en">' in html
    assert "<h1>Sign in</h1>" in html and ">Sign in</button>" in html
    assert "E-mail" in html and "Password" in html
    assert "ログイン" not in html
    assert 'lang="ja">日本語</button>' in html  # the way back, in its own language

    i18n_client.post("/language", data={"language": "ja", "next": "/login"})
    html = _page(i18n_client.get("/login", headers={"Accept-Language": "en"}))
    assert "<h1>ログイン</h1>" in html


def test_login_errors_are_japanese(i18n_client):
    user = make_user("exporter")
    response = i18n_client.post("/login", data={"email": user.email, "password": "wrong"},
                                headers={"Accept-Language": "ja"})
    assert response.status_code == 401
    assert "メールアドレス又はパスワードが正しくありません。" in response.get_data(as_text=True)

    response = i18n_client.post("/login", data={"email": "", "password": ""},
                                headers={"Accept-Language": "ja"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    # WTForms' validator messages: Flask-WTF translates them with WTForms' own catalogue
    assert "必須" in html and "This field is required." not in html


def test_signed_in_pages_follow_the_users_language(i18n_client, app):
    user = make_user("exporter")
    login(i18n_client, user)
    html = _page(i18n_client.get("/cases", headers={"Accept-Language": "ja"}))
    assert "<h1>案件一覧</h1>" in html
    assert "輸出者／輸入者" in html and ">ログアウト</button>" in html
    assert "輸出通告の新規作成" in html

    i18n_client.post("/language", data={"language": "en", "next": "/cases"})
    html = _page(i18n_client.get("/cases", headers={"Accept-Language": "ja"}))
    assert "<h1>Cases</h1>" in html
    assert "Exporter / importer" in html and ">Sign out</button>" in html
    assert "案件一覧" not in html

    # the choice is the user's: kept for the next sign-in, from any browser
    i18n_client.post("/logout")
    login(i18n_client, user)
    html = _page(i18n_client.get("/cases", headers={"Accept-Language": "ja"}))
    assert "<h1>Cases</h1>" in html
