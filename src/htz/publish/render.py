"""Render a bulletin (the JSON contract of ``htz.analytics.bulletin.compute``) for readers.

::

    from htz.publish import render

    render.html(data, "zh")  # one self-contained page: inline CSS and SVG, no script
    render.markdown(data, "en")  # the same sentences and tables in Markdown
    render.xlsx(data, "vi", "bulletin.xlsx")  # one sheet per table, numbers as numbers

``lang`` is zh, en or vi. Withheld cells show the withheld marker, never a value.
"""

from __future__ import annotations

from pathlib import Path

from htz.publish import content
from htz.publish import html as html_page
from htz.publish import markdown as markdown_page
from htz.publish import xlsx as workbook

__all__ = ["html", "html_fragment", "markdown", "xlsx"]


def html(data: dict, lang: str) -> str:
    """The bulletin as one HTML page in ``lang``."""
    return html_page.page(content.document(data, lang))


def html_fragment(data: dict, lang: str) -> str:
    """The bulletin's content as one ``<article>`` for a web page (styled by the site)."""
    return html_page.fragment(content.document(data, lang))


def markdown(data: dict, lang: str) -> str:
    """The bulletin as Markdown in ``lang``."""
    return markdown_page.page(content.document(data, lang))


def xlsx(data: dict, lang: str, out_path: str | Path) -> None:
    """Write the bulletin as an Excel workbook in ``lang`` to ``out_path``."""
    workbook.write(data, lang, out_path)
