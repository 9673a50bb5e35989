"""Year-on-year outliers: enterprises whose growth is far from their industry's.

For each indicator the ratio r = x / last_year(x) is taken for enterprises with both
values > 0. Within each group (period × industry × indicator) the modified z-score
of log r is M = 0.6745 (log r − median) / MAD, where MAD is the median absolute
deviation from the median (Iglewicz & Hoaglin 1993). |M| > 3.5 is flagged. Groups
with fewer than 5 enterprises, or with MAD = 0, are skipped: their spread says nothing.
Reports with no industry form one group of their own per period and indicator.

The result has the violation shape of :mod:`htz.reporting.rules` (rule ``yoy-outlier``,
severity ``warning``), so the CLI, web form and API render it the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import duckdb
import pyarrow as pa

from htz.errors import InputError
from htz.reporting.rules_lang import Lookup, Name
from htz.reporting.rules_run import VIOLATION_SCHEMA, join_lookups, prepare
from htz.reporting.rules_sql import format_number

CODE = "yoy-outlier"
CONSTANT = 0.6745  # makes MAD comparable with a standard deviation under normality
MESSAGES = {
    "en": "{indicator} is {value} against {base} in the same period last year (×{ratio}), "
    "unusual for industry {industry} (modified z-score {score}); please explain",
    "zh": "{indicator}为{value}，上年同期为{base}（为上年的{ratio}倍），"
    "在{industry}行业中异常（修正z值{score}），请说明原因",
    "vi": "{indicator} là {value} so với {base} cùng kỳ năm trước (gấp {ratio} lần), "
    "bất thường trong ngành {industry} (điểm z hiệu chỉnh {score}); vui lòng giải thích",
}
_NUMBERS = ("value", "base", "ratio", "score")
_KEYS = {"uscc", "period", "industry"}


def _message_sql(lang: str) -> str:
    pieces = []
    for i, part in enumerate(re.split(r"\{(\w+)\}", MESSAGES[lang])):
        if i % 2 == 0:
            pieces.append("'" + part.replace("'", "''") + "'")
        elif part in _NUMBERS:
            pieces.append(format_number(part, lang))
        else:
            pieces.append(f"coalesce({part}, '—')")
    return f"concat({', '.join(pieces)})"


def yoy_outliers(
    table: pa.Table,
    history: pa.Table | None = None,
    *,
    indicators: Iterable[str] | None = None,
    threshold: float = 3.5,
    min_group: int = 5,
    lang: str = "en",
) -> pa.Table:
    """Warnings for reports in ``table`` whose year-on-year ratio is an outlier in its industry.

    ``table`` and ``history`` are wide reports as for ``check_upload`` (``industry`` is
    optional); last year's values come from both. ``indicators`` defaults to every
    numeric column of ``table``.
    """
    if lang not in MESSAGES:
        raise InputError(f"language {lang!r} is not one of {', '.join(MESSAGES)}")
    if indicators is None:
        indicators = [
            f.name
            for f in table.schema
            if f.name not in _KEYS and (pa.types.is_floating(f.type) or pa.types.is_integer(f.type))
        ]
    indicators = list(dict.fromkeys(indicators))
    for name in indicators:
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise InputError(f"indicator {name!r} is not a snake_case indicator code")
    if not indicators or table.num_rows == 0:
        return VIOLATION_SCHEMA.empty_table()
    needed = [Name(n, 0) for n in indicators] + [Lookup("last_year", n, 0) for n in indicators]
    con = duckdb.connect()
    try:
        upload = prepare(table, indicators, "upload", extra=("industry",))
        j = join_lookups(con, upload, history, needed, keep=("industry",))
        ratios = " UNION ALL ".join(
            f"SELECT __row, uscc, period, industry, '{n}' AS indicator, \"{n}\" AS value, "
            f'"last_year({n})" AS base FROM {j} WHERE "{n}" > 0 AND "last_year({n})" > 0'
            for n in indicators
        )
        query = f"""
            WITH r AS MATERIALIZED (SELECT *, value / base AS ratio, ln(value / base) AS lr
                                    FROM ({ratios})),
            g AS (SELECT period, industry, indicator, median(lr) AS med, mad(lr) AS mad
                  FROM r GROUP BY ALL HAVING count(*) >= {int(min_group)} AND mad(lr) > 0),
            s AS (SELECT r.*, {CONSTANT} * (r.lr - g.med) / g.mad AS score
                  FROM r JOIN g ON r.period = g.period AND r.indicator = g.indicator
                   AND r.industry IS NOT DISTINCT FROM g.industry)
            SELECT '{CODE}' AS rule, 'warning' AS severity, indicator, uscc, period,
                   __row AS row,
                   CAST(json_object(indicator, value, 'last_year(' || indicator || ')', base,
                        'ratio', ratio, 'score', score) AS VARCHAR) AS "values",
                   {_message_sql(lang)} AS message
            FROM s WHERE abs(score) > {float(threshold)!r}
            ORDER BY row, indicator
        """
        return con.sql(query).to_arrow_table().cast(VIOLATION_SCHEMA)
    finally:
        con.close()
