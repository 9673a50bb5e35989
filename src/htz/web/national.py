"""National statistician pages: close and reopen periods, impute, build, publish."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response

from htz import app as application
from htz.accounts import scope
from htz.accounts.users import User
from htz.catalog import load_catalog
from htz.errors import HtzError
from htz.reporting import export, service, workflow
from htz.store.schema import period_states, reports
from htz.web import security
from htz.web.render import page

router = APIRouter(include_in_schema=False, dependencies=[Depends(security.check_csrf)])
Lang = Annotated[str, Path(pattern="^(zh|en|vi)$")]
FORM_PATTERN = "^(monthly|quarterly|annual_fast|annual)$"
PERIOD_PATTERN = r"^\d{4}(-Q[1-4]|-M(0[1-9]|1[0-2]))?$"


def national(request: Request) -> User:
    user = security.require_user(request)
    scope.require_role(user, "national")
    return user


def _overview(app) -> dict:
    with app.read() as conn:
        counts = conn.execute(
            sa.select(reports.c.form, reports.c.period, reports.c.status, sa.func.count()).group_by(
                reports.c.form, reports.c.period, reports.c.status
            )
        ).all()
        states = {
            (r.form, r.period): r.state
            for r in conn.execute(
                sa.select(period_states.c.form, period_states.c.period, period_states.c.state)
            )
        }
        snaps = export.list_snapshots(conn)[:5]
        pubs = export.current_publications(conn)
        info = export.meta(conn)
    periods: dict[tuple[str, str], dict] = {}
    for form, period, status, n in counts:
        row = periods.setdefault(
            (form, period),
            {"form": form, "period": period, "state": states.get((form, period), "open")},
        )
        row[status] = n
    rows = sorted(periods.values(), key=lambda r: (r["period"], r["form"]), reverse=True)
    return {
        "periods": rows[:60],
        "snapshots": snaps,
        "publications": pubs,
        "headline_period": info.get("headline_period"),
    }


def _page(
    request: Request, message: str | None = None, error: str | None = None, status: int = 200
) -> Response:
    app = request.app.state.htz
    return page(
        request,
        "national.html",
        status=status,
        o=_overview(app),
        message=message,
        error=error,
        forms=[f.code for f in load_catalog().forms.values()],
    )


@router.get("/{lang}/national")
def overview(request: Request, lang: Lang, user: Annotated[User, Depends(national)]) -> Response:
    return _page(request)


@router.post("/{lang}/national/period")
def period_state(
    request: Request,
    lang: Lang,
    user: Annotated[User, Depends(national)],
    form: Annotated[str, Form(pattern=FORM_PATTERN)],
    period: Annotated[str, Form(pattern=PERIOD_PATTERN)],
    state: Annotated[str, Form(pattern="^(open|closed)$")],
) -> Response:
    try:
        with request.app.state.htz.connect() as conn:
            period = service.period_of(form, period)
            workflow.set_period_state(conn, user.username, form, period, state)
    except HtzError as exc:
        return _page(request, error=exc.message, status=exc.http_status)
    return _page(request, message=f"{form} {period}: {state}")


@router.post("/{lang}/national/impute")
def impute(
    request: Request,
    lang: Lang,
    user: Annotated[User, Depends(national)],
    form: Annotated[str, Form(pattern=FORM_PATTERN)],
    period: Annotated[str, Form(pattern=PERIOD_PATTERN)],
) -> Response:
    try:
        with request.app.state.htz.connect() as conn:
            result = service.impute(conn, user.username, form, period)
    except HtzError as exc:
        return _page(request, error=exc.message, status=exc.http_status)
    return _page(
        request,
        message=f"{form} {result.period}: {result.imputed_reports} imputed, "
        f"{result.respondents}/{result.expected} respondents",
    )


@router.post("/{lang}/national/build")
def build(request: Request, lang: Lang, user: Annotated[User, Depends(national)]) -> Response:
    app = request.app.state.htz
    try:
        result = application.build_snapshot(_as(app, user))
    except HtzError as exc:
        return _page(request, error=exc.message, status=exc.http_status)
    return _page(
        request,
        message=f"snapshot {result.snapshot.id}: "
        f"{len(result.rewritten)} rewritten, {result.reused} reused",
    )


@router.post("/{lang}/national/publish")
def publish(
    request: Request,
    lang: Lang,
    user: Annotated[User, Depends(national)],
    headline: Annotated[str | None, Form(max_length=8)] = None,
) -> Response:
    app = request.app.state.htz
    try:
        result = application.publish(_as(app, user))
        if headline:
            application.set_headline(_as(app, user), headline)
    except HtzError as exc:
        return _page(request, error=exc.message, status=exc.http_status)
    return _page(
        request,
        message=f"published snapshot {result.snapshot}: "
        f"{len(result.computed)} computed, {len(result.reused)} unchanged",
    )


def _as(app, user: User):
    """The app acting as ``user`` (the audit log names who built and published)."""
    from dataclasses import replace

    return application.App(replace(app.settings, user=user.username), app.engine)
