"""Reviewer pages (zone, province and national users): the review queue, one report beside
last year's, approve or return, non-respondents and their export for reminders."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from htz.accounts import scope
from htz.accounts.users import User
from htz.catalog import load_catalog
from htz.errors import HtzError
from htz.periods import parse
from htz.reporting import service, workflow
from htz.store.schema import zones
from htz.web import downloads, entry, security
from htz.web.render import page

router = APIRouter(include_in_schema=False, dependencies=[Depends(security.check_csrf)])
Lang = Annotated[str, Path(pattern="^(zh|en|vi)$")]
REVIEWERS = ("zone", "province", "national")
STATUSES = ("submitted", "approved", "accepted", "returned", "draft", "imputed")


def reviewer(request: Request) -> User:
    user = security.require_user(request)
    scope.require_role(user, *REVIEWERS)
    return user


def visible_report(conn, user: User, report_id: int) -> dict:
    """The report if ``user`` may see it; otherwise the same 404 as for no report at all."""
    report = workflow.get_report(conn, report_id)
    province = conn.execute(
        sa.select(zones.c.province_code).where(zones.c.code == report["zone_code"])
    ).scalar()
    scope.require_visible(user, report, province)
    return report


def zone_codes(conn, user: User) -> list[str]:
    return list(
        conn.execute(
            sa.select(zones.c.code).where(scope.zone_condition(user)).order_by(zones.c.code)
        ).scalars()
    )


@router.get("/{lang}/review")
def queue(
    request: Request,
    lang: Lang,
    user: Annotated[User, Depends(reviewer)],
    form: str | None = Query(None, pattern="^(monthly|quarterly|annual_fast|annual)$"),
    period: str | None = Query(None, max_length=8),
    status: str | None = Query("submitted", max_length=16),
    zone: str | None = Query(None, max_length=48),
    page_no: int = Query(1, alias="page", ge=1, le=10_000),
) -> Response:
    app = request.app.state.htz
    per_page = 50
    with app.read() as conn:
        zones_in_scope = zone_codes(conn, user)
        condition = scope.enterprise_condition(user)
        rows = workflow.review_list(
            conn,
            form or None,
            period or None,
            zone or None,
            status or None,
            limit=per_page + 1,
            condition=condition,
            offset=(page_no - 1) * per_page,
        )
    more = len(rows) > per_page
    return page(
        request,
        "review.html",
        rows=rows[:per_page],
        more=more,
        page_no=page_no,
        filters={
            "form": form or "",
            "period": period or "",
            "status": status or "",
            "zone": zone or "",
        },
        statuses=STATUSES,
        zones=zones_in_scope,
        forms=[f.code for f in load_catalog().forms.values()],
    )


@router.get("/{lang}/review/{report_id}")
def detail(
    request: Request,
    lang: Lang,
    report_id: int,
    user: Annotated[User, Depends(reviewer)],
    message: str | None = None,
) -> Response:
    app = request.app.state.htz
    with app.read() as conn:
        report = visible_report(conn, user, report_id)
        history = service.load_history(conn, report["form"], [report["period"]])
        violations = service.check_one(conn, report, lang) if report["values"] else []
    p = parse(report["period"])
    last = {}
    if history is not None:
        for row in history.to_pylist():
            if row["uscc"] == report["uscc"] and row["period"] == p.last_year().code:
                last = row
    fields = entry.fields(report["form"], lang)
    placed, general = entry.by_field(violations, fields)
    levels = app.settings.approval_levels
    try:
        level = scope.review_level(user, levels)
    except HtzError:
        level = None
    return page(
        request,
        "review_detail.html",
        report=report,
        last=last,
        fields=fields,
        placed=placed,
        general=general,
        level=level,
        levels=levels,
        last_period=p.last_year().code,
        message=message,
    )


@router.post("/{lang}/review/{report_id}")
def decide(
    request: Request,
    lang: Lang,
    report_id: int,
    user: Annotated[User, Depends(reviewer)],
    action: Annotated[str, Form(pattern="^(approve|return)$")],
    version: Annotated[int, Form()],
    comment: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    app = request.app.state.htz
    levels = app.settings.approval_levels
    try:
        with app.connect() as conn:
            visible_report(conn, user, report_id)
            if action == "approve":
                workflow.approve(
                    conn,
                    user.username,
                    report_id,
                    version,
                    levels,
                    scope.review_level(user, levels),
                )
            else:
                workflow.return_report(conn, user.username, report_id, version, comment or "")
    except HtzError as exc:
        if exc.http_status == 404:
            raise
        return detail(request, lang, report_id, user, message=exc.message)
    return RedirectResponse(f"/{lang}/review?done={action}", status_code=303)


@router.get("/{lang}/review-missing")
def missing(
    request: Request,
    lang: Lang,
    user: Annotated[User, Depends(reviewer)],
    form: str = Query("monthly", pattern="^(monthly|quarterly|annual_fast|annual)$"),
    period: str | None = Query(None, max_length=8),
    format: str = Query("html", pattern="^(html|csv)$"),
) -> Response:
    """Enterprises that owe the period's report and have none accepted (for reminders)."""
    app = request.app.state.htz
    with app.read() as conn:
        codes = zone_codes(conn, user)
        period = period or latest_period(conn, form)
        rows = []
        if period:
            for zone_code in codes if user.role != "national" else [None]:
                for m in service.missing(conn, form, period, zone_code):
                    rows.append(
                        {
                            "uscc": m.uscc,
                            "zone_code": m.zone_code,
                            "section": m.section,
                            "status": m.status or "none",
                        }
                    )
    if format == "csv":
        return downloads.table(
            rows, ["uscc", "zone_code", "section", "status"], f"htz-missing-{form}-{period}", "csv"
        )
    return page(
        request,
        "missing.html",
        rows=rows[:1000],
        total=len(rows),
        form=form,
        period=period,
        forms=[f.code for f in load_catalog().forms.values()],
    )


def latest_period(conn, form: str) -> str | None:
    from htz.store.schema import reports

    return conn.execute(
        sa.select(sa.func.max(reports.c.period)).where(reports.c.form == form)
    ).scalar()


@router.get("/{lang}/review-quality")
def quality(
    request: Request,
    lang: Lang,
    user: Annotated[User, Depends(reviewer)],
    form: str = Query("monthly", pattern="^(monthly|quarterly|annual_fast|annual)$"),
    period: str | None = Query(None, max_length=8),
) -> Response:
    """Reporting rate and report states by zone (the zone's, province's or all zones)."""
    app = request.app.state.htz
    with app.read() as conn:
        codes = zone_codes(conn, user)
        period = period or latest_period(conn, form)
        rows = service.status_by_zone(conn, form, period, codes) if period else []
    return page(
        request,
        "quality.html",
        rows=rows,
        form=form,
        period=period,
        forms=[f.code for f in load_catalog().forms.values()],
    )
