"""The review workflow of one report, and the closing of periods.

::

    draft ──submit──▶ submitted ──approve (zone … )──▶ approved ──approve (national)──▶ accepted
      ▲                   │                                 │
      └──── returned ◀────┴──────────── return ─────────────┘

The approval levels after submission come from settings (default zone, then national;
``zone,province,national`` follows the full review chain); the last approval accepts.
Every step names the version it acts on: if the report changed since the caller read it,
the step is refused (optimistic concurrency), so two reviewers or two editors can never
silently overwrite each other. Errors block submission; warnings need a comment. A closed
period refuses every change until a national user reopens it. A report edited after
approval gets a new version and returns to review. Every step is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from htz import audit
from htz.errors import (
    InputError,
    NotFoundError,
    StaleVersionError,
    TransitionError,
)
from htz.reporting.reports import REVIEWED, ensure_open, now
from htz.store.schema import (
    enterprises,
    observations,
    period_states,
    report_issues,
    reports,
)


def get_report(conn: Connection, report_id: int) -> dict:
    """A report with its enterprise, values and flags."""
    row = (
        conn.execute(
            sa.select(reports, enterprises.c.uscc, enterprises.c.zone_code, enterprises.c.name)
            .select_from(reports.join(enterprises))
            .where(reports.c.id == report_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFoundError(f"no report {report_id}; list reports with `htz review list`.")
    values, flags = {}, {}
    for indicator, value, flag in conn.execute(
        sa.select(observations.c.indicator, observations.c.value, observations.c.flag).where(
            observations.c.report_id == report_id
        )
    ):
        values[indicator], flags[indicator] = value, flag
    return {**dict(row), "values": values, "flags": flags}


def find_report(conn: Connection, uscc: str, form: str, period: str) -> dict | None:
    rid = conn.execute(
        sa.select(reports.c.id)
        .select_from(reports.join(enterprises))
        .where(enterprises.c.uscc == uscc, reports.c.form == form, reports.c.period == period)
    ).scalar()
    return None if rid is None else get_report(conn, rid)


def _bump(conn: Connection, report: dict, version: int, actor: str, **values) -> None:
    """Change a report if it is still at ``version``; else StaleVersionError."""
    updated = conn.execute(
        sa.update(reports)
        .where(reports.c.id == report["id"], reports.c.version == version)
        .values(version=version + 1, updated_at=now(), updated_by=actor, **values)
    )
    if updated.rowcount != 1:
        current = conn.execute(
            sa.select(reports.c.version, reports.c.updated_by).where(reports.c.id == report["id"])
        ).first()
        raise StaleVersionError(
            f"report {report['id']} ({report['uscc']} {report['form']} {report['period']}) "
            f"was changed by {current.updated_by} (now version {current.version}, you had "
            f"version {version}); reload it and apply your change again."
        )


def _key(report: dict) -> str:
    return f"{report['uscc']}/{report['form']}/{report['period']}"


def save_values(
    conn: Connection,
    actor: str,
    enterprise_id: int,
    uscc: str,
    form: str,
    period: str,
    values: Mapping[str, float | None],
    version: int | None,
    comment: str | None = None,
    source: str = "web",
) -> dict:
    """Create a draft or change a report's values (the web form and API path).

    ``version`` is the version the caller read (None to create). A reviewed report that
    changes gets a new version and returns to ``submitted``. This stores values without
    running the rules: callers use ``service.save``, which checks a report that lands in
    review as a submission would be checked.
    """
    ensure_open(conn, form, [period])
    clean = {k: float(v) for k, v in values.items() if v is not None}
    existing = find_report(conn, uscc, form, period)
    if existing is None:
        if version not in (None, 0):
            raise StaleVersionError(f"report {uscc} {form} {period} no longer exists; reload.")
        rid = conn.execute(
            sa.insert(reports).values(
                enterprise_id=enterprise_id,
                form=form,
                period=period,
                status="draft",
                version=1,
                source=source,
                comment=comment,
                updated_at=now(),
                updated_by=actor,
            )
        ).inserted_primary_key[0]
        audit.append(
            conn,
            actor,
            "create",
            "report",
            f"{uscc}/{form}/{period}",
            None,
            {"status": "draft", "version": 1, "values": clean},
        )
    else:
        if version is None:
            raise StaleVersionError(
                f"report {uscc} {form} {period} already exists (version "
                f"{existing['version']}); edit it by naming that version."
            )
        status = existing["status"]
        next_status = (
            "submitted"
            if status in REVIEWED
            else ("draft" if status in ("imputed", "returned") else status)
        )
        _bump(
            conn,
            existing,
            version,
            actor,
            status=next_status,
            level=None,
            source=source,
            comment=comment if comment is not None else existing["comment"],
        )
        rid = existing["id"]
        conn.execute(sa.delete(observations).where(observations.c.report_id == rid))
        audit.append(
            conn,
            actor,
            "update",
            "report",
            _key(existing),
            {"status": status, "version": version, "values": existing["values"]},
            {"status": next_status, "version": version + 1, "values": clean},
        )
    if clean:
        conn.execute(
            sa.insert(observations),
            [
                {"report_id": rid, "indicator": k, "value": v, "flag": "reported"}
                for k, v in clean.items()
            ],
        )
    return get_report(conn, rid)


def record_issues(conn: Connection, report_id: int, issues: Sequence[Mapping]) -> None:
    """Replace the stored validation results of a report."""
    conn.execute(sa.delete(report_issues).where(report_issues.c.report_id == report_id))
    if issues:
        conn.execute(
            sa.insert(report_issues),
            [
                {
                    "report_id": report_id,
                    "rule": i["rule"],
                    "severity": i["severity"],
                    "message": i["message"],
                    "values": audit.canonical(i.get("values")),
                }
                for i in issues
            ],
        )


def require_clean(
    conn: Connection, report: dict, violations: Sequence[Mapping], comment: str | None
) -> str | None:
    """What a report needs before it goes to review: no error, and a comment for warnings.

    Records the violations as the report's issues; returns the comment to keep."""
    errors = [v for v in violations if v["severity"] == "error"]
    warnings = [v for v in violations if v["severity"] == "warning"]
    record_issues(conn, report["id"], violations)
    if errors:
        raise InputError(
            f"report {_key(report)} has {len(errors)} error(s) and cannot be submitted: "
            + "; ".join(f"{e['rule']}: {e['message']}" for e in errors)
        )
    comment = (comment or report["comment"] or "").strip() or None
    if warnings and not comment:
        raise InputError(
            f"report {_key(report)} has {len(warnings)} warning(s) "
            f"({', '.join(sorted({w['rule'] for w in warnings}))}); explain them in a "
            "comment and submit again."
        )
    return comment


def submit(
    conn: Connection,
    actor: str,
    report_id: int,
    version: int,
    violations: Sequence[Mapping],
    comment: str | None = None,
) -> dict:
    """Submit a draft or returned report; errors block, warnings need a comment."""
    report = get_report(conn, report_id)
    ensure_open(conn, report["form"], [report["period"]])
    if report["status"] not in ("draft", "returned"):
        raise TransitionError(
            f"report {_key(report)} is {report['status']}; only a draft or returned report "
            "can be submitted."
        )
    comment = require_clean(conn, report, violations, comment)
    _bump(conn, report, version, actor, status="submitted", level=None, comment=comment)
    audit.append(
        conn,
        actor,
        "submit",
        "report",
        _key(report),
        {"status": report["status"]},
        {"status": "submitted", "comment": comment},
    )
    return get_report(conn, report_id)


def approve(
    conn: Connection,
    actor: str,
    report_id: int,
    version: int,
    levels: Sequence[str],
    level: str | None = None,
) -> dict:
    """Approve at the next level of the review chain; the last level (national) accepts."""
    report = get_report(conn, report_id)
    ensure_open(conn, report["form"], [report["period"]])
    if report["status"] not in ("submitted", "approved"):
        raise TransitionError(
            f"report {_key(report)} is {report['status']}; only a submitted or approved report "
            "can be approved."
        )
    done = report["level"] if report["status"] == "approved" else None
    position = levels.index(done) + 1 if done in levels else 0
    expected = levels[position]
    if level is not None and level != expected:
        raise TransitionError(f"report {_key(report)} awaits {expected} approval, not {level}.")
    status = "accepted" if expected == levels[-1] else "approved"
    _bump(conn, report, version, actor, status=status, level=expected)
    audit.append(
        conn,
        actor,
        "approve",
        "report",
        _key(report),
        {"status": report["status"], "level": done},
        {"status": status, "level": expected},
    )
    return get_report(conn, report_id)


def return_report(conn: Connection, actor: str, report_id: int, version: int, comment: str) -> dict:
    """Send a report back to the enterprise with a comment saying what to correct."""
    report = get_report(conn, report_id)
    ensure_open(conn, report["form"], [report["period"]])
    if not comment or not comment.strip():
        raise InputError("a returned report needs a comment saying what to correct.")
    if report["status"] not in ("submitted", "approved", "accepted"):
        raise TransitionError(
            f"report {_key(report)} is {report['status']}; only a report under review can "
            "be returned."
        )
    _bump(conn, report, version, actor, status="returned", level=None, comment=comment.strip())
    audit.append(
        conn,
        actor,
        "return",
        "report",
        _key(report),
        {"status": report["status"]},
        {"status": "returned", "comment": comment},
    )
    return get_report(conn, report_id)


def review_list(
    conn: Connection,
    form: str | None = None,
    period: str | None = None,
    zone_code: str | None = None,
    status: str | None = None,
    limit: int = 1000,
    condition: sa.ColumnElement[bool] | None = None,
    offset: int = 0,
    uscc: str | None = None,
) -> list[dict]:
    """Reports with their enterprise and open issue count; ``condition`` (on
    ``enterprises``) narrows them to a user's scope."""
    issues = (
        sa.select(report_issues.c.report_id, sa.func.count().label("issues"))
        .group_by(report_issues.c.report_id)
        .subquery()
    )
    query = (
        sa.select(
            reports.c.id,
            enterprises.c.uscc,
            enterprises.c.name,
            enterprises.c.zone_code,
            reports.c.form,
            reports.c.period,
            reports.c.status,
            reports.c.level,
            reports.c.version,
            sa.func.coalesce(issues.c.issues, 0).label("issues"),
            reports.c.comment,
            reports.c.updated_by,
        )
        .select_from(
            reports.join(enterprises).outerjoin(issues, issues.c.report_id == reports.c.id)
        )
        .order_by(reports.c.period, enterprises.c.zone_code, enterprises.c.uscc, reports.c.id)
        .limit(limit)
        .offset(offset)
    )
    if condition is not None:
        query = query.where(condition)
    for column, value in (
        (reports.c.form, form),
        (reports.c.period, period),
        (enterprises.c.zone_code, zone_code),
        (reports.c.status, status),
        (enterprises.c.uscc, uscc),
    ):
        if value is not None:
            query = query.where(column == value)
    return [dict(r) for r in conn.execute(query).mappings()]


def set_period_state(conn: Connection, actor: str, form: str, period: str, state: str) -> bool:
    """Close or reopen a period of a form; returns False if it already was in that state."""
    current = (
        conn.execute(
            sa.select(period_states.c.state).where(
                period_states.c.form == form, period_states.c.period == period
            )
        ).scalar()
        or "open"
    )
    if current == state:
        return False
    values = {"state": state, "changed_at": now(), "changed_by": actor}
    if (
        conn.execute(
            sa.update(period_states)
            .where(period_states.c.form == form, period_states.c.period == period)
            .values(**values)
        ).rowcount
        == 0
    ):
        conn.execute(sa.insert(period_states).values(form=form, period=period, **values))
    audit.append(
        conn,
        actor,
        "close" if state == "closed" else "reopen",
        "period",
        f"{form}/{period}",
        {"state": current},
        {"state": state},
    )
    return True


def approve_all(
    conn: Connection,
    actor: str,
    levels: Sequence[str],
    form: str,
    period: str,
    zone_code: str | None = None,
    level: str | None = None,
) -> dict[str, int]:
    """Move every report of a period that awaits approval one step up the review chain.

    What a zone administrator (``level="zone"``) or the national statistician does at the
    end of a review round; one statement per level, so a report moves one step only.
    Returns ``{level: reports approved at it}``; one audit entry per level says how many.
    """
    ensure_open(conn, form, [period])
    if level is not None and level not in levels:
        raise InputError(f"level {level!r} is not in the review chain {', '.join(levels)}.")
    done: dict[str, int] = {}
    # from the top down, so that a report approved at one level is not approved again
    for position, at in reversed(list(enumerate(levels))):
        if level is not None and at != level:
            continue
        awaiting = (
            reports.c.status == "submitted"
            if position == 0
            else sa.and_(reports.c.status == "approved", reports.c.level == levels[position - 1])
        )
        where = [reports.c.form == form, reports.c.period == period, awaiting]
        if zone_code:
            where.append(
                reports.c.enterprise_id.in_(
                    sa.select(enterprises.c.id).where(enterprises.c.zone_code == zone_code)
                )
            )
        status = "accepted" if at == levels[-1] else "approved"
        moved = conn.execute(
            sa.update(reports)
            .where(*where)
            .values(
                status=status,
                level=at,
                version=reports.c.version + 1,
                updated_at=now(),
                updated_by=actor,
            )
        ).rowcount
        done[at] = moved
        if moved:
            audit.append(
                conn,
                actor,
                "approve",
                "reports",
                f"{form}/{period}" + (f"/{zone_code}" if zone_code else ""),
                None,
                {"level": at, "status": status, "reports": moved},
            )
    return done
