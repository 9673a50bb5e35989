"""Public pages: dashboard, zone pages, bulletins and open data (no sign-in)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from htz.publish import render as bulletin_render
from htz.web import downloads, i18n, queries, security
from htz.web.render import fragment, lang_of, page

router = APIRouter(include_in_schema=False, dependencies=[Depends(security.check_csrf)])
Lang = Annotated[str, Path(pattern="^(zh|en|vi)$")]
PERIOD = Query(None, pattern=r"^\d{4}(-Q[1-4]|-M(0[1-9]|1[0-2]))?$")

__all__ = ["lang_of", "router"]


def htz(request: Request):
    return request.app.state.htz


@router.get("/")
def root(request: Request) -> RedirectResponse:
    lang = i18n.negotiate(request.headers.get("accept-language"))
    return RedirectResponse(f"/{lang}/", status_code=307)


@router.get("/favicon.ico")
def favicon() -> RedirectResponse:
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/{lang}/")
def dashboard(request: Request, lang: Lang, period: str | None = PERIOD) -> Response:
    app = htz(request)
    state = queries.published(app)
    found, chosen = state
    period = period or queries.headline_period(app, found, chosen)
    data = queries.dashboard(app, period, lang, state)
    # the body depends only on the published figures and the language: rendered once
    key = ("dashboard-html", period, lang, queries.version(found, chosen))
    body = queries.memo(key, lambda: fragment(request, "partials/dashboard_body.html", d=data))
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "dashboard":
        return HTMLResponse(body)
    return page(request, "dashboard.html", d=data, body=body)


@router.get("/{lang}/zones/{code}")
def zone(request: Request, lang: Lang, code: str, period: str | None = PERIOD) -> Response:
    data = queries.zone(htz(request), code, period, lang)
    return page(request, "zone.html", z=data)


@router.get("/{lang}/zones")
def zones(request: Request, lang: Lang) -> Response:
    return page(request, "zones.html", zones=queries.zone_list(htz(request), lang))


@router.get("/{lang}/bulletin")
def bulletin(request: Request, lang: Lang, period: str | None = PERIOD) -> Response:
    app = htz(request)
    found, chosen = queries.published(app)
    period = period or queries.headline_period(app, found, chosen)
    data = queries.bulletin(app, period, found)
    key = ("bulletin-html", period, lang, queries.version(found, chosen))
    body = queries.memo(key, lambda: bulletin_render.html_fragment(data, lang))
    return page(
        request,
        "bulletin.html",
        period=data["period"],
        periods=list(found),
        body=body,
        snapshot=data["snapshot"],
    )


@router.get("/{lang}/bulletin/{period}.{ext}")
def bulletin_file(request: Request, lang: Lang, period: str, ext: str) -> Response:
    data = queries.bulletin(htz(request), period)
    return downloads.bulletin(data, lang, ext)


@router.get("/{lang}/data")
def open_data(request: Request, lang: Lang, period: str | None = PERIOD) -> Response:
    app = htz(request)
    found = queries.releases(app)
    chosen = period or (queries.headline_period(app, found) if found else None)
    return page(
        request,
        "data.html",
        releases=found,
        period=chosen,
        indicators=queries.indicators(lang),
    )


@router.get("/{lang}/data/aggregates-{period}.{ext}")
def aggregates_file(request: Request, lang: Lang, period: str, ext: str) -> Response:
    rows = queries.aggregates(htz(request), period)
    return downloads.table(rows, queries.AGGREGATE_COLUMNS, f"htz-aggregates-{period}", ext)
