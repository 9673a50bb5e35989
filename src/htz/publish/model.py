"""The bulletin as a document: sections of paragraphs, tables and charts, in one language.

``content.document(data, lang)`` builds it from the JSON contract; ``html``, ``markdown``
and ``xlsx`` only lay it out. A cell keeps its number and kind (amount, growth, …) so that
the text renderings format it for readers while the workbook keeps the number.

A withheld cell is built without its value (``Cell.withheld``, ``value`` None): no
renderer can show what it never received.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from htz.publish import i18n

KINDS = ("text", "amount", "growth", "share", "count", "ratio")


@dataclass(frozen=True)
class Cell:
    value: object = None
    kind: str = "text"
    unit: str | None = None  # yuan or person, for an amount whose column has no unit
    withheld: bool = False


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"
    unit: str | None = None  # yuan or person: the whole column is on one scale


@dataclass
class Table:
    key: str
    columns: list[Column]
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)
    caption: str | None = None

    @property
    def has_withheld(self) -> bool:
        return any(c.withheld for row in self.rows for c in row)


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # None: withheld or missing, drawn as no bar
    labels: list[str]  # the value as text, or the withheld marker


@dataclass(frozen=True)
class Chart:
    title: str
    categories: list[str]
    series: list[Series]
    note: str | None = None


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # a list (the notes)


@dataclass
class Document:
    lang: str
    title: str
    synthetic: bool
    source: str
    withheld_note: str
    sections: list[Section]


def published(cell: dict | None) -> bool:
    return bool(cell) and not cell.get("confidential")


def from_json(cell: dict | None, key: str, kind: str, unit: str | None = None) -> Cell:
    """A cell of the JSON contract as a table cell; a withheld one loses its value here."""
    if cell is None:
        return Cell(None, kind, unit)
    if cell.get("confidential"):
        return Cell(None, kind, unit, withheld=True)
    return Cell(cell.get(key), kind, unit or (cell.get("unit") if kind == "amount" else None))


def formatted(table: Table, lang: str) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of ``table`` as reader's text; amount columns share one scale."""
    headers, scales = [], []
    for i, col in enumerate(table.columns):
        scale = None
        label = col.label
        if col.kind == "amount" and col.unit:
            scale = i18n.column_scale([r[i].value for r in table.rows], col.unit, lang)
            label = i18n.t("col_with_unit", lang, label=col.label, unit=scale.label)
        headers.append(i18n.capitalise(label))
        scales.append(scale)
    rows = [[text(c, lang, scales[i]) for i, c in enumerate(row)] for row in table.rows]
    return headers, rows


def text(cell: Cell, lang: str, scale=None) -> str:
    """One cell as text: the withheld marker, a dash for no value, else the number."""
    if cell.withheld:
        return i18n.t("withheld", lang)
    v = cell.value
    if v is None:
        return i18n.DASH
    if cell.kind == "text":
        return str(v)
    if cell.kind == "amount":
        return scale.format(v, lang) if scale else i18n.amount(v, cell.unit or "", lang)
    if cell.kind == "growth":
        return i18n.percent(v, lang, signed=True)
    if cell.kind == "share":
        return i18n.percent(v, lang)
    if cell.kind == "count":
        return i18n.integer(v, lang)
    return i18n.number(v, lang)
