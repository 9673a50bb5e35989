"""Languages of the site: gettext catalogues (``locale/<lang>/LC_MESSAGES/htz.po``)
compiled with Babel when first used, the choice of language, and locale formatting.

The catalogues are extracted from the templates and ``web`` modules with
``pybabel extract -F babel.cfg`` (docs/admin.md, "Translations"); tests fail when a
message has no translation in zh or vi.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from htz.publish import i18n as words

LANGS = ("zh", "en", "vi")
LOCALES = {"zh": "zh_Hans_CN", "en": "en_GB", "vi": "vi_VN"}
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "htz"


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> Translations:
    """The compiled catalogue of ``lang`` (English is the source language)."""
    path = po_path(lang)
    if not path.is_file():
        return Translations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=LOCALES[lang], domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def gettext(lang: str):
    return translations(lang).gettext


def translate(lang: str):
    """``_(message, **fields)``: the translation, its ``%(name)s`` fields filled."""
    get = translations(lang).gettext

    def _(message: str, **fields) -> str:
        text = get(message)
        return text % fields if fields else text

    return _


def translate_plural(lang: str):
    """``ngettext(singular, plural, n, **fields)``: filled with ``num`` = n and ``fields``."""
    get = translations(lang).ngettext

    def ngettext(singular: str, plural: str, n: int, **fields) -> str:
        return get(singular, plural, n) % {"num": n, **fields}

    return ngettext


def N_(message: str) -> str:
    """Mark a message for extraction; translated where it is shown."""
    return message


def negotiate(accept_language: str | None, default: str = "en") -> str:
    """The best of zh, en, vi for an Accept-Language header (q-values honoured)."""
    if not accept_language:
        return default
    best, best_q = default, -1.0
    for part in accept_language.split(","):
        bits = part.strip().split(";")
        tag = bits[0].strip().lower()
        q = 1.0
        for b in bits[1:]:
            b = b.strip()
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        primary = tag.split("-")[0]
        if primary in LANGS and q > best_q:
            best, best_q = primary, q
    return best


def formatters(lang: str) -> dict:
    """Jinja filters and helpers that format numbers as the language's readers expect."""

    def money(v):
        return words.DASH if v is None else words.money(v, lang)

    def amount(v, unit):
        return words.DASH if v is None else words.amount(v, unit, lang)

    def pct(v, signed=False):
        return words.DASH if v is None else words.percent(v, lang, signed=signed)

    def integer(v):
        return words.DASH if v is None else words.integer(v, lang)

    def number(v, decimals=2):
        return words.DASH if v is None else words.number(v, lang, decimals)

    return {
        "money": money,
        "amount": amount,
        "pct": pct,
        "integer": integer,
        "number": number,
        "indicator_name": lambda code: words.indicator_name(code, lang),
        "indicator_title": lambda code: words.capitalise(words.indicator_name(code, lang)),
        "column_scale": lambda values, unit: words.column_scale(values, unit, lang),
        "scaled": lambda scale, v: words.DASH if v is None else scale.format(v, lang),
        "region_name": lambda code: words.region_name(code, lang),
        "platform_name": lambda code: words.platform_name(code, lang),
        "section_name": lambda code: words.section_name(code, lang),
        "period_name": lambda code: words.period_name(code, lang),
        "withheld": words.t("withheld", lang),
        "t": lambda key, **fields: words.t(key, lang, **fields),
    }


# words the templates translate from data (extracted here, shown with ``_(code)``)
ROLE_NAMES = (N_("enterprise"), N_("zone"), N_("province"), N_("national"))
STATUS_NAMES = (
    N_("draft"),
    N_("submitted"),
    N_("returned"),
    N_("approved"),
    N_("accepted"),
    N_("imputed"),
    N_("open"),
    N_("closed"),
    N_("none"),
)
LEVEL_NAMES = (N_("provincial"),)
SEVERITY_NAMES = (N_("error"), N_("warning"))
# events of a zone's history (not the report statuses of the same English words)
EVENTS = {
    "approved": N_("approved as a national zone"),
    "upgraded": N_("upgraded to a national zone"),
    "renamed": N_("renamed"),
    "merged": N_("merged"),
    "revoked": N_("status revoked"),
}
ACTION_NAMES = (N_("save"), N_("submit"), N_("approve"), N_("return"))
