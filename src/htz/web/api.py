"""The JSON (and CSV) API under /api/v1. Public routes serve published figures through the
same query functions as the pages; report and import routes are scoped to the user."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from htz.accounts import scope
from htz.accounts.users import User
from htz.errors import InputError
from htz.reporting import service, workflow
from htz.reporting.rules import check_report, default_rules
from htz.web import downloads, queries, security
from htz.web.reports import import_scoped
from htz.web.review import visible_report

router = APIRouter(prefix="/api/v1", dependencies=[Depends(security.check_csrf)])

LangQ = Annotated[str, Query(pattern="^(zh|en|vi)$")]
PeriodQ = Annotated[
    str | None,
    Query(pattern=r"^\d{4}(-Q[1-4]|-M(0[1-9]|1[0-2]))?$", description="e.g. 2023-Q3"),
]
FormQ = Annotated[str | None, Query(pattern="^(monthly|quarterly|annual_fast|annual)$")]
FormatQ = Annotated[str, Query(pattern="^(json|csv)$", description="json or csv")]
PageQ = Annotated[int, Query(ge=1, le=100_000)]
PerPageQ = Annotated[int, Query(ge=1, le=1000)]
PROBLEM = {"model": dict, "content": {"application/problem+json": {}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "bad input (problem+json)"},
    401: {"description": "not signed in (problem+json)"},
    403: {"description": "not allowed, or missing CSRF token (problem+json)"},
    404: {"description": "not found or outside your scope (problem+json)"},
    409: {"description": "changed since you read it, or the period is closed"},
    422: {"description": "invalid request (problem+json)"},
}


def htz(request: Request):
    return request.app.state.htz


def paged(
    request: Request,
    items: list[dict],
    page: int,
    per_page: int,
    fmt: str,
    columns=None,
    name: str = "htz",
    total: int | None = None,
) -> Response:
    """One page of ``items`` (all of them; or, with ``total``, only the page's own)."""
    start = (page - 1) * per_page
    if total is None:
        total = len(items)
        chunk = items[start : start + per_page]
    else:
        chunk = items
    if fmt == "csv":
        cols = columns or (list(chunk[0]) if chunk else [])
        return Response(
            downloads.csv_bytes(chunk, cols),
            media_type=downloads.MEDIA["csv"],
            headers={"Content-Disposition": f'inline; filename="{name}.csv"'},
        )
    nxt = None
    if start + per_page < total:
        nxt = str(request.url.include_query_params(page=page + 1, per_page=per_page))
    return JSONResponse(
        {"items": chunk, "page": page, "per_page": per_page, "total": total, "next": nxt}
    )


# --- public --------------------------------------------------------------------------


def cached_json(key: tuple, compute) -> Response:
    """Published figures as JSON, serialised once per publication state (they are large:
    the dashboard ~0.2 MB, a national bulletin ~0.75 MB)."""
    body = queries.memo(
        ("json", *key),
        lambda: json.dumps(
            compute(), ensure_ascii=False, separators=(",", ":"), default=str
        ).encode("utf-8"),
    )
    return Response(body, media_type="application/json")


@router.get("/dashboard", tags=["public"], responses=ERRORS)
def dashboard(request: Request, period: PeriodQ = None, lang: LangQ = "en") -> Response:
    """The national dashboard's figures (the JSON twin of /{lang}/)."""
    app = htz(request)
    found, chosen = state = queries.published(app)
    period = period or queries.headline_period(app, found, chosen)
    return cached_json(
        ("dashboard", period, lang, queries.version(found, chosen)),
        lambda: queries.dashboard(app, period, lang, state),
    )


@router.get("/releases", tags=["public"], responses=ERRORS)
def releases(request: Request) -> list[dict]:
    """Published periods: the snapshot each comes from and when it was published."""
    return [
        {
            "period": p,
            "snapshot": r["snapshot_id"],
            "published_at": r["published_at"].isoformat()
            if hasattr(r["published_at"], "isoformat")
            else str(r["published_at"]),
            "sha256": r["sha256"],
        }
        for p, r in queries.releases(htz(request)).items()
    ]


@router.get("/bulletins/{period}", tags=["public"], responses=ERRORS)
def bulletin(
    request: Request,
    period: Annotated[str, Path(pattern=r"^\d{4}(-Q[1-4]|-M(0[1-9]|1[0-2]))?$")],
) -> dict:
    """A published bulletin (docs/bulletin-json.md): withheld cells carry no numbers."""
    app = htz(request)
    found, chosen = queries.published(app)
    return cached_json(
        ("bulletin", period, queries.version(found, chosen)),
        lambda: queries.bulletin(app, period, found),
    )


@router.get("/zones", tags=["public"], responses=ERRORS)
def zones(
    request: Request,
    lang: LangQ = "en",
    page: PageQ = 1,
    per_page: PerPageQ = 200,
    format: FormatQ = "json",
) -> Response:
    """Zones in the registry: code, names, province, city, level, approval, coordinates."""
    items = queries.zone_list(htz(request), lang)
    for z in items:
        z["approved"] = str(z["approved"]) if z["approved"] is not None else None
    return paged(request, items, page, per_page, format, name="htz-zones")


@router.get("/zones/{code}", tags=["public"], responses=ERRORS)
def zone(
    request: Request,
    code: Annotated[str, Path(max_length=48)],
    period: PeriodQ = None,
    lang: LangQ = "en",
) -> Response:
    """A zone's page as data (the JSON twin of /{lang}/zones/{code})."""
    app = htz(request)
    found, chosen = queries.published(app)
    period = period or queries.headline_period(app, found, chosen)
    return cached_json(
        ("zone", code, period, lang, queries.version(found, chosen)),
        lambda: queries.zone(app, code, period, lang),
    )


@router.get("/indicators", tags=["public"], responses=ERRORS)
def indicators(lang: LangQ = "en") -> list[dict]:
    """The indicator catalogue: code, names, unit, kind and forms."""
    return queries.indicators(lang)


@router.get("/aggregates", tags=["public"], responses=ERRORS)
def aggregates(
    request: Request,
    period: PeriodQ = None,
    level: Annotated[str | None, Query(pattern="^(national|region|province|zone)$")] = None,
    indicator: Annotated[str | None, Query(max_length=48)] = None,
    page: PageQ = 1,
    per_page: PerPageQ = 500,
    format: FormatQ = "json",
) -> Response:
    """Published aggregates as long rows; withheld cells: ``confidential`` true, no value."""
    rows = queries.aggregates(htz(request), period, level, indicator)
    return paged(
        request,
        rows,
        page,
        per_page,
        format,
        list(queries.AGGREGATE_COLUMNS),
        name="htz-aggregates",
    )


# --- signed in -------------------------------------------------------------------------


def api_user(request: Request) -> User:
    return security.require_user(request)


@router.get("/me", tags=["account"], responses=ERRORS)
def me(user: Annotated[User, Depends(api_user)]) -> dict:
    return {"username": user.username, "name": user.name, "role": user.role, "scope": user.scope}


def _report_json(report: dict) -> dict:
    out = {
        k: report[k]
        for k in (
            "id",
            "uscc",
            "name",
            "zone_code",
            "form",
            "period",
            "status",
            "level",
            "version",
            "source",
            "comment",
            "updated_by",
        )
    }
    out["updated_at"] = str(report["updated_at"])
    out["values"] = report["values"]
    out["flags"] = report["flags"]
    return out


@router.get("/reports", tags=["reports"], responses=ERRORS)
def reports(
    request: Request,
    user: Annotated[User, Depends(api_user)],
    form: FormQ = None,
    period: PeriodQ = None,
    status: Annotated[
        str | None, Query(pattern="^(draft|submitted|returned|approved|accepted|imputed)$")
    ] = None,
    page: PageQ = 1,
    per_page: PerPageQ = 100,
    format: FormatQ = "json",
) -> Response:
    """Reports in your scope (an enterprise sees its own; a zone its zone's; …)."""
    condition = scope.enterprise_condition(user)
    with htz(request).read() as conn:
        rows = workflow.review_list(
            conn,
            form,
            period,
            None,
            status,
            limit=per_page,
            condition=condition,
            offset=(page - 1) * per_page,
        )
        total = _count_reports(conn, condition, form, period, status)
    return paged(request, rows, page, per_page, format, name="htz-reports", total=total)


def _count_reports(conn, condition, form: str | None, period: str | None, status: str | None):
    """How many reports ``GET /reports`` lists over all its pages."""
    import sqlalchemy as sa

    from htz.store.schema import enterprises, reports

    query = sa.select(sa.func.count()).select_from(reports.join(enterprises)).where(condition)
    for column, value in (
        (reports.c.form, form),
        (reports.c.period, period),
        (reports.c.status, status),
    ):
        if value is not None:
            query = query.where(column == value)
    return conn.execute(query).scalar_one()


@router.get("/reports/{report_id}", tags=["reports"], responses=ERRORS)
def report(
    request: Request,
    report_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    user: Annotated[User, Depends(api_user)],
) -> dict:
    """One report with its values, if it is in your scope (else 404)."""
    with htz(request).read() as conn:
        return _report_json(visible_report(conn, user, report_id))


class ReportValues(BaseModel):
    values: dict[str, float | None] = Field(description="indicator → value in base units")
    version: int | None = Field(None, description="the version you read; null to create")
    comment: str | None = Field(None, max_length=2000)
    submit: bool = False


@router.put("/reports/{form}/{period}", tags=["reports"], responses=ERRORS)
def put_report(
    request: Request,
    form: Annotated[str, Path(pattern="^(monthly|quarterly|annual_fast|annual)$")],
    period: Annotated[str, Path(pattern=r"^\d{4}(-Q[1-4]|-M(0[1-9]|1[0-2]))?$")],
    body: ReportValues,
    user: Annotated[User, Depends(api_user)],
) -> dict:
    """Create or change your enterprise's report (values in base units); ``submit`` too."""
    scope.require_role(user, "enterprise")
    from htz.catalog import load_catalog
    from htz.web.reports import _enterprise

    period = service.period_of(form, period)
    known = set(load_catalog().form(form).indicators)
    unknown = sorted(set(body.values) - known)
    if unknown:
        raise InputError(
            f"{', '.join(unknown)}: not on the {form} form; use {', '.join(sorted(known))}."
        )
    with htz(request).connect() as conn:
        ent = _enterprise(conn, user)
        saved = service.save(
            conn,
            user.username,
            ent["id"],
            user.scope,
            form,
            period,
            body.values,
            body.version,
            body.comment,
            source="api",
        )
        if body.submit and saved["status"] in ("draft", "returned"):
            saved = service.submit(conn, user.username, saved["id"], saved["version"], body.comment)
        return _report_json(saved)


class Check(BaseModel):
    form: str = Field(pattern="^(monthly|quarterly|annual_fast|annual)$")
    period: str = Field(pattern=r"^\d{4}(-Q[1-4]|-M(0[1-9]|1[0-2]))?$")
    values: dict[str, float | None]


@router.post("/check", tags=["reports"], responses=ERRORS)
def check(
    request: Request, body: Check, user: Annotated[User, Depends(api_user)], lang: LangQ = "en"
) -> list[dict]:
    """Run the validation rules on values without storing them (your own history)."""
    scope.require_role(user, "enterprise")
    period = service.period_of(body.form, body.period)
    with htz(request).connect() as conn:
        history = service.load_history(conn, body.form, [period])
    past = [r for r in history.to_pylist() if r["uscc"] == user.scope] if history else []
    values = {"uscc": user.scope, "period": period, **body.values}
    found = check_report(default_rules(), values, past, form=body.form, lang=lang)
    return [v.__dict__ for v in found]


class Decision(BaseModel):
    version: int
    comment: str | None = Field(None, max_length=2000)


@router.post("/reports/{report_id}/submit", tags=["reports"], responses=ERRORS)
def submit(
    request: Request,
    report_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: Decision,
    user: Annotated[User, Depends(api_user)],
) -> dict:
    scope.require_role(user, "enterprise")
    with htz(request).connect() as conn:
        visible_report(conn, user, report_id)
        return _report_json(
            service.submit(conn, user.username, report_id, body.version, body.comment)
        )


@router.post("/reports/{report_id}/approve", tags=["reports"], responses=ERRORS)
def approve(
    request: Request,
    report_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: Decision,
    user: Annotated[User, Depends(api_user)],
) -> dict:
    levels = htz(request).settings.approval_levels
    level = scope.review_level(user, levels)
    with htz(request).connect() as conn:
        visible_report(conn, user, report_id)
        return _report_json(
            workflow.approve(conn, user.username, report_id, body.version, levels, level)
        )


@router.post("/reports/{report_id}/return", tags=["reports"], responses=ERRORS)
def return_(
    request: Request,
    report_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: Decision,
    user: Annotated[User, Depends(api_user)],
) -> dict:
    scope.review_level(user, htz(request).settings.approval_levels)
    with htz(request).connect() as conn:
        visible_report(conn, user, report_id)
        return _report_json(
            workflow.return_report(conn, user.username, report_id, body.version, body.comment or "")
        )


@router.post("/imports", tags=["reports"], responses=ERRORS)
async def imports(
    request: Request,
    user: Annotated[User, Depends(api_user)],
    file: Annotated[UploadFile, File()],
    form: Annotated[str, Form(pattern="^(monthly|quarterly|annual_fast|annual)$")],
    unit: Annotated[str | None, Form(max_length=16)] = None,
    keep_valid: Annotated[bool, Form()] = False,
    lang: LangQ = "en",
) -> dict:
    """Import a CSV or XLSX file of reports in your scope; any error stores nothing
    (unless ``keep_valid``) and the answer lists every problem with row and column."""
    scope.require_role(user, "enterprise", "zone", "national")
    suffix = FilePath(file.filename or "upload.csv").suffix.lower() or ".csv"
    if suffix not in (".csv", ".xlsx", ".txt"):
        raise InputError(f"{file.filename}: upload a .csv or .xlsx file.")
    with tempfile.TemporaryDirectory() as tmp:
        path = FilePath(tmp) / f"upload{suffix}"
        path.write_bytes(await file.read())
        summary = import_scoped(
            htz(request), user, path, form, unit, keep_valid, lang, file.filename or path.name
        )
    out = dict(summary.__dict__)
    out["source"] = file.filename
    out["issues"] = [i.__dict__ for i in summary.issues]
    return out
