"""The bulletin as one self-contained HTML page: inline CSS, inline SVG charts, no script.

Nothing is fetched: no font file, stylesheet, script or image from anywhere. Every text is
escaped. Void elements are self-closed so that the page is also well-formed XML.
"""

from __future__ import annotations

from html import escape

from htz.publish import i18n, svg
from htz.publish.model import Document, Section, Table, formatted

CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC",
  "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0 auto; max-width: 60rem;
  padding: 1rem 1.5rem 3rem; line-height: 1.55; color: #1d1d1f; }
h1 { font-size: 1.6rem; margin: 0.6rem 0; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #1f5fa8; padding-bottom: 0.2rem;
  margin-top: 2.2rem; }
.synthetic { background: #fff3cd; border: 2px solid #d39e00; color: #5c4400;
  padding: 0.6rem 0.9rem; font-weight: 600; border-radius: 4px; }
.synthetic strong { text-transform: uppercase; letter-spacing: 0.03em; margin-right: 0.5em; }
.lead { font-size: 1.1rem; font-weight: 600; }
.meta, .note, figcaption { color: #555; font-size: 0.85rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; vertical-align: top; }
th { background: #f2f5fa; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.withheld { color: #777; font-style: italic; text-align: right; }
figure { margin: 1rem 0; }
svg.chart text { fill: #1d1d1f; }
@media print { .synthetic { border-width: 3px; } h2 { break-after: avoid; } }
"""


def page(doc: Document) -> str:
    """The document as an HTML page."""
    lang = doc.lang
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{i18n.html_lang(lang)}">',
        "<head>",
        '<meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        f"<title>{escape(doc.title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
    ]
    if doc.synthetic:
        parts.append(_synthetic(lang))
    parts += [f"<h1>{escape(doc.title)}</h1>", f'<p class="meta">{escape(doc.source)}</p>']
    parts.append("</header>")
    parts.append("<main>")
    parts += [_section(s, doc) for s in doc.sections]
    parts.append("</main>")
    parts.append("<footer>")
    if doc.synthetic:
        parts.append(_synthetic(lang))
    parts.append(f'<p class="meta">{escape(doc.source)}</p>')
    parts += ["</footer>", "</body>", "</html>"]
    return "\n".join(parts)


def fragment(doc: Document) -> str:
    """The document's content as one ``<article>`` for a page of the web site."""
    parts = ['<article class="bulletin">']
    if doc.synthetic:
        parts.append(_synthetic(doc.lang))
    parts += [f"<h1>{escape(doc.title)}</h1>", f'<p class="meta">{escape(doc.source)}</p>']
    parts += [_section(s, doc) for s in doc.sections]
    parts.append("</article>")
    return "\n".join(parts)


def _synthetic(lang: str) -> str:
    return (
        f'<p class="synthetic" role="note"><strong>{escape(i18n.t("synthetic", lang))}</strong>'
        f"{escape(i18n.t('synthetic_note', lang))}</p>"
    )


def _section(section: Section, doc: Document) -> str:
    out = [f'<section id="{escape(section.key)}">', f"<h2>{escape(section.title)}</h2>"]
    for i, para in enumerate(section.paragraphs):
        cls = ' class="lead"' if section.key == "headline" and i == 0 else ""
        out.append(f"<p{cls}>{escape(para)}</p>")
    for table in section.tables:
        out.append(_table(table, doc))
    for chart in section.charts:
        out.append("<figure>")
        out.append(svg.bar_chart(chart))
        caption = chart.title + (f" {chart.note}" if chart.note else "")
        out.append(f"<figcaption>{escape(caption)}</figcaption>")
        out.append("</figure>")
    if section.items:
        out.append("<ol>")
        out += [f"<li>{escape(item)}</li>" for item in section.items]
        out.append("</ol>")
    out.append("</section>")
    return "\n".join(out)


def _table(table: Table, doc: Document) -> str:
    headers, rows = formatted(table, doc.lang)
    out = ['<div class="scroll">', f'<table class="{escape(table.key)}">']
    if table.caption:
        out.append(f"<caption>{escape(table.caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in headers) + "</tr></thead>")
    out.append("<tbody>")
    for cells, texts in zip(table.rows, rows, strict=True):
        tds = []
        for cell, text in zip(cells, texts, strict=True):
            if cell.withheld:
                tds.append(f'<td class="withheld">{escape(text)}</td>')
            elif cell.kind == "text":
                tds.append(f"<td>{escape(text)}</td>")
            else:
                tds.append(f'<td class="num">{escape(text)}</td>')
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</tbody></table></div>")
    notes = list(table.notes)
    if table.has_withheld:
        notes.append(doc.withheld_note)
    out += [f'<p class="note">{escape(n)}</p>' for n in notes]
    return "\n".join(out)
