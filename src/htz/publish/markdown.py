"""The bulletin as Markdown: the page's sentences and tables (charts are left out)."""

from __future__ import annotations

from htz.publish import i18n
from htz.publish.model import Document, Table, formatted


def page(doc: Document) -> str:
    lang = doc.lang
    out = [f"# {_inline(doc.title)}", ""]
    if doc.synthetic:
        out += [_synthetic(lang), ""]
    out += [_inline(doc.source), ""]
    for section in doc.sections:
        out += [f"## {_inline(section.title)}", ""]
        for para in section.paragraphs:
            out += [_inline(para), ""]
        for table in section.tables:
            out += [*_table(table, doc), ""]
        for n, item in enumerate(section.items, start=1):
            out.append(f"{n}. {_inline(item)}")
        if section.items:
            out.append("")
    if doc.synthetic:
        out += [_synthetic(lang), ""]
    return "\n".join(out).rstrip() + "\n"


def _synthetic(lang: str) -> str:
    return f"> **{_inline(i18n.t('synthetic', lang))}** {_inline(i18n.t('synthetic_note', lang))}"


def _inline(text: str) -> str:
    """Text that Markdown shows as written."""
    for ch in "\\`*_[]<>|":
        text = text.replace(ch, "\\" + ch)
    return text


def _table(table: Table, doc: Document) -> list[str]:
    headers, rows = formatted(table, doc.lang)
    out = [f"**{_inline(table.caption)}**", ""] if table.caption else []
    align = ["---" if c.kind == "text" else "---:" for c in table.columns]
    out.append("| " + " | ".join(_inline(h) for h in headers) + " |")
    out.append("| " + " | ".join(align) + " |")
    out += ["| " + " | ".join(_inline(t) for t in row) + " |" for row in rows]
    notes = list(table.notes) + ([doc.withheld_note] if table.has_withheld else [])
    for note in notes:
        out += ["", _inline(note)]
    return out
