"""The site's gettext catalogues (docs/admin.md, "Translations").

Every message the templates and ``web`` modules mark (``_("...")``, ``N_("...")``) must be
in ``locale/htz.pot`` and in each language's ``htz.po``; zh and vi must translate all of
them, keep their ``%(name)s`` fields, and be written in Chinese and Vietnamese. A test
that fails names the messages and the commands that fix it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from htz.web import i18n

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "babel.cfg"
POT = i18n.LOCALE_DIR / f"{i18n.DOMAIN}.pot"
TRANSLATED = ("zh", "vi")  # en is the source language: its msgstrs may stay empty
# msgids that are the same word in every language (codes, proper nouns)
SAME_IN_EVERY_LANGUAGE = frozenset({"API"})

FIX = (
    "update the catalogues (docs/admin.md, 'Translations'):\n"
    "  pybabel extract -F babel.cfg -k N_ --no-location --sort-output "
    "--project htz --copyright-holder 'htz contributors' -o src/htz/web/locale/htz.pot .\n"
    "  pybabel update -i src/htz/web/locale/htz.pot -d src/htz/web/locale -D htz\n"
    "then translate the new messages in zh and vi"
)
FIELD = re.compile(r"%\((\w+)\)")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# letters of Vietnamese that English does not have (precomposed, as the .po files are NFC)
VIETNAMESE = re.compile(
    r"[ăâđêôơưĂÂĐÊÔƠƯ"
    r"àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    r"ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ]"
)

SCRIPTS = {"zh": (CJK, "Chinese characters"), "vi": (VIETNAMESE, "Vietnamese letters")}


def key(message: Message) -> tuple[str | None, str]:
    """A message's identity: its context and (singular) msgid."""
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return message.context, msgid


def show(keys) -> str:
    return "\n".join(f"  {msgid!r}" + (f" (context {ctx!r})" if ctx else "") for ctx, msgid in keys)


@cache
def extracted() -> dict[tuple[str | None, str], Message]:
    """What ``pybabel extract -F babel.cfg -k N_ .`` finds in the repository now."""
    with CONFIG.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(CONFIG))
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(["N_"])}
    catalog = Catalog(domain=i18n.DOMAIN)
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return {key(m): m for m in catalog if m.id}


@cache
def catalogue(name: str) -> Catalog:
    """``htz.pot`` or the ``htz.po`` of a language."""
    path = POT if name == "pot" else i18n.po_path(name)
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing: {FIX}"
    with path.open("rb") as fh:
        return read_po(fh, locale=None if name == "pot" else i18n.LOCALES[name])


def messages(name: str) -> list[Message]:
    return [m for m in catalogue(name) if m.id]


def texts(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def ids(message: Message) -> list[str]:
    return [message.id] if isinstance(message.id, str) else list(message.id)


def test_extraction_reads_templates_and_modules():
    found = extracted()
    assert len(found) > 100, f"babel.cfg extracted only {len(found)} messages"
    assert (None, "Dashboard") in found  # a template (jinja2 extractor)
    assert (None, "submitted") in found  # a word marked N_() in htz/web/i18n.py


@pytest.mark.parametrize("name", ["pot", *i18n.LANGS])
def test_catalogue_has_every_extracted_message(name):
    have = {key(m) for m in messages(name)}
    missing = sorted(set(extracted()) - have, key=lambda k: (k[1], k[0] or ""))
    where = "htz.pot" if name == "pot" else f"{name}/LC_MESSAGES/htz.po"
    assert not missing, f"{len(missing)} message(s) not in {where}:\n{show(missing)}\n{FIX}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated(lang):
    problems = []
    for m in messages(lang):
        if m.fuzzy:
            problems.append(f"  fuzzy: {m.id!r}")
        elif not all(texts(m)):
            problems.append(f"  empty: {m.id!r}")
        elif key(m)[1] not in SAME_IN_EVERY_LANGUAGE and set(texts(m)) & set(ids(m)):
            problems.append(f"  same as the English: {m.id!r}")
    assert not problems, f"{lang}: {len(problems)} message(s) not translated:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize("lang", [*TRANSLATED, "en"])
def test_fields_are_kept(lang):
    problems = []
    for m in messages(lang):
        wanted = set().union(*(FIELD.findall(s) for s in ids(m)))
        for text in filter(None, texts(m)):
            if set(FIELD.findall(text)) != wanted:
                problems.append(f"  {m.id!r} -> {text!r}: fields {sorted(wanted)} expected")
                continue
            if wanted:
                try:
                    text % dict.fromkeys(wanted, 1)
                except (KeyError, ValueError, TypeError) as exc:
                    problems.append(f"  {text!r} cannot be filled: {exc}")
    # Babel's own checks: python-format compatibility and the number of plural forms
    for m, errors in catalogue(lang).check():
        problems.extend(f"  {m.id!r}: {e}" for e in errors)
    assert not problems, f"{lang}: %(name)s fields differ:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_are_in_the_language(lang):
    """A weak stub detector: zh has Chinese characters; vi phrases have Vietnamese letters.

    A one-word Vietnamese msgstr may be plain ASCII ("Xem") as long as it is not the
    English word (checked above)."""
    script, what = SCRIPTS[lang]
    problems = []
    for m in messages(lang):
        if key(m)[1] in SAME_IN_EVERY_LANGUAGE:
            continue
        for text in filter(None, texts(m)):
            plain = FIELD.sub("", text)
            if lang == "vi" and len(plain.split()) < 2:
                continue
            if not script.search(plain):
                problems.append(f"  {m.id!r} -> {text!r}")
    assert not problems, f"{lang}: {len(problems)} msgstr(s) without {what}:\n" + "\n".join(
        problems
    )


def test_catalogues_compile_and_translate():
    assert i18n.translate("zh")("Dashboard") != "Dashboard"
    assert i18n.translate("vi")("Dashboard") != "Dashboard"
    assert i18n.translate("en")("Dashboard") == "Dashboard"
    zh = i18n.translate_plural("zh")
    one, many = (
        "%(num)s error: correct it before submitting.",
        "%(num)s errors: correct them before submitting.",
    )
    assert CJK.search(zh(one, many, 2))
    assert "2" in zh(one, many, 2)
    en = i18n.translate_plural("en")
    assert en(one, many, 1) == "1 error: correct it before submitting."
    assert en(one, many, 2) == "2 errors: correct them before submitting."
    zh = i18n.translate("zh")
    assert zh("a message nobody marked") == "a message nobody marked"


def test_template_renders_in_chinese():
    from htz.web.render import ENV

    _ = i18n.translate("zh")
    problem = {"severity": "error", "rule": "r1", "message": "营业收入不能为负"}
    ngettext = i18n.translate_plural("zh")
    html = ENV.get_template("partials/checks.html").render(
        _=_, ngettext=ngettext, fields=[], placed={}, general=[problem], parse_error=None
    )
    assert f"{_('Error')}: 营业收入不能为负" in html
    assert (
        ngettext(
            "%(num)s error: correct it before submitting.",
            "%(num)s errors: correct them before submitting.",
            1,
        )
        in html
    )
    assert "correct them before submitting" not in html
    assert 'data-errors="1"' in html
