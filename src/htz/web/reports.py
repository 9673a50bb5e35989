"""Enterprise pages: the report form with live checks, upload, history."""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Path, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from htz.accounts.scope import require_role
from htz.accounts.users import User
from htz.catalog import load_catalog
from htz.errors import (
    ForbiddenError,
    HtzError,
    ImportProblemsError,
    InputError,
    NotFoundError,
)
from htz.reporting import service, workflow
from htz.reporting.rules import check_report, default_rules
from htz.store.schema import enterprises
from htz.web import entry, security
from htz.web.render import page

router = APIRouter(include_in_schema=False, dependencies=[Depends(security.check_csrf)])
Lang = Annotated[str, Path(pattern="^(zh|en|vi)$")]
FormCode = Annotated[str, Path(pattern="^(monthly|quarterly|annual_fast|annual)$")]
PeriodCode = Annotated[str, Path(pattern=r"^\d{4}(-Q[1-4]|-M(0[1-9]|1[0-2]))?$")]


def enterprise_user(request: Request) -> User:
    user = security.require_user(request)
    require_role(user, "enterprise")
    return user


def _enterprise(conn, user: User) -> dict:
    row = conn.execute(sa.select(enterprises).where(enterprises.c.uscc == user.scope)).first()
    if row is None:
        raise NotFoundError(f"your enterprise {user.scope} is not in the registry.")
    return dict(row._mapping)


@router.get("/{lang}/reports")
def history(
    request: Request, lang: Lang, user: Annotated[User, Depends(enterprise_user)]
) -> Response:
    app = request.app.state.htz
    with app.read() as conn:
        ent = _enterprise(conn, user)
        rows = workflow.review_list(conn, uscc=user.scope, limit=500)
    rows.sort(key=lambda r: (r["period"], r["form"]), reverse=True)
    catalog = load_catalog()
    forms = [(f.code, f.name.get(lang), f.frequency) for f in catalog.forms.values()]
    return page(request, "reports.html", enterprise=ent, rows=rows, forms=forms)


@router.get("/{lang}/reports/new")
def new(
    request: Request,
    lang: Lang,
    user: Annotated[User, Depends(enterprise_user)],
    form: str,
    period: str,
) -> Response:
    period = service.period_of(form, period)
    return RedirectResponse(f"/{lang}/reports/{form}/{period}", status_code=303)


def _context(conn, user: User, form: str, period: str, lang: str) -> dict:
    ent = _enterprise(conn, user)
    report = workflow.find_report(conn, user.scope, form, period)
    history = service.load_history(conn, form, [period])
    past: dict[str, dict] = {}
    if history is not None:
        for row in history.to_pylist():
            if row["uscc"] == user.scope:
                past[row["period"]] = row
    from htz.periods import parse

    p = parse(period)
    previous = p.previous_ytd().code if p.previous_ytd() else None
    return {
        "enterprise": ent,
        "report": report,
        "form": form,
        "form_name": load_catalog().form(form).name.get(lang),
        "period": period,
        "fields": entry.fields(form, lang),
        "last_year": past.get(p.last_year().code, {}),
        "previous": past.get(previous, {}) if previous else {},
        "history": past,
    }


def _check(conn, user: User, form: str, period: str, values: dict, lang: str):
    history = service.load_history(conn, form, [period])
    past = []
    if history is not None:
        past = [r for r in history.to_pylist() if r["uscc"] == user.scope]
    report = {"uscc": user.scope, "period": period, **values}
    return check_report(default_rules(), report, past, form=form, lang=lang)


@router.get("/{lang}/reports/{form}/{period}")
def edit(
    request: Request,
    lang: Lang,
    form: FormCode,
    period: PeriodCode,
    user: Annotated[User, Depends(enterprise_user)],
) -> Response:
    period = service.period_of(form, period)
    app = request.app.state.htz
    with app.read() as conn:
        ctx = _context(conn, user, form, period, lang)
        report = ctx["report"]
        stored = report["values"] if report and report["status"] != "imputed" else {}
        violations = _check(conn, user, form, period, stored, lang) if stored else []
    placed, general = entry.by_field(violations, ctx["fields"])
    return page(
        request,
        "report_form.html",
        **ctx,
        typed=entry.shown(ctx["fields"], stored),
        placed=placed,
        general=general,
        message=None,
    )


@router.post("/{lang}/reports/{form}/{period}/check")
async def check(
    request: Request,
    lang: Lang,
    form: FormCode,
    period: PeriodCode,
    user: Annotated[User, Depends(enterprise_user)],
) -> Response:
    """The rules over the values as typed (htmx, on every change): problems beside fields."""
    period = service.period_of(form, period)
    raw = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    fields = entry.fields(form, lang)
    try:
        values = entry.parse_values(fields, raw)
        parse_error = None
    except InputError as exc:
        values, parse_error = {}, exc.message
    with request.app.state.htz.read() as conn:
        violations = _check(conn, user, form, period, values, lang) if values else []
    placed, general = entry.by_field(violations, fields)
    return page(
        request,
        "partials/checks.html",
        fields=fields,
        placed=placed,
        general=general,
        parse_error=parse_error,
    )


@router.post("/{lang}/reports/{form}/{period}")
async def save(
    request: Request,
    lang: Lang,
    form: FormCode,
    period: PeriodCode,
    user: Annotated[User, Depends(enterprise_user)],
) -> Response:
    """Save the values as a draft, or save and submit (``action=submit``)."""
    period = service.period_of(form, period)
    data = await request.form()
    raw = {k: v for k, v in data.items() if isinstance(v, str)}
    fields = entry.fields(form, lang)
    app = request.app.state.htz
    action = raw.get("action", "save")
    comment = (raw.get("comment") or "").strip() or None
    version = int(raw["version"]) if raw.get("version", "").isdigit() else None
    message = None
    try:
        values = entry.parse_values(fields, raw)
        with app.connect() as conn:
            ent = _enterprise(conn, user)
            report = service.save(
                conn, user.username, ent["id"], user.scope, form, period, values, version,
                comment, lang=lang,
            )  # fmt: skip
            if action == "submit" and report["status"] in ("draft", "returned"):
                report = service.submit(
                    conn, user.username, report["id"], report["version"], comment, lang
                )
        done = "submit" if report["status"] == "submitted" else "save"
        return RedirectResponse(f"/{lang}/reports/{form}/{period}?done={done}", status_code=303)
    except (InputError, ForbiddenError) as exc:
        message = exc.message
    except Exception as exc:  # conflicts (stale version, closed period): shown on the form
        from htz.errors import HtzError

        if not isinstance(exc, HtzError):
            raise
        message = exc.message
    with app.connect() as conn:
        ctx = _context(conn, user, form, period, lang)
        try:
            values = entry.parse_values(fields, raw)
        except InputError:
            values = {}
        violations = _check(conn, user, form, period, values, lang) if values else []
    placed, general = entry.by_field(violations, fields)
    typed = {f.code: raw.get(f.code, "") for f in fields}
    return page(
        request,
        "report_form.html",
        status=422,
        **ctx,
        typed=typed,
        placed=placed,
        general=general,
        message=message,
        comment=comment,
    )


@router.get("/{lang}/upload")
def upload_form(
    request: Request, lang: Lang, user: Annotated[User, Depends(security.require_user)]
) -> Response:
    require_role(user, "enterprise", "zone", "national")
    forms = [(f.code, f.name.get(lang)) for f in load_catalog().forms.values()]
    return page(request, "upload.html", forms=forms, summary=None, problems=None, message=None)


@router.post("/{lang}/upload")
async def upload(
    request: Request,
    lang: Lang,
    file: UploadFile,
    user: Annotated[User, Depends(security.require_user)],
    form: Annotated[str, Form()],
    unit: Annotated[str | None, Form()] = None,
    keep_valid: Annotated[bool, Form()] = False,
) -> Response:
    """A CSV or XLSX file of reports: stored whole, or not at all, with a per-row report."""
    require_role(user, "enterprise", "zone", "national")
    forms = [(f.code, f.name.get(lang)) for f in load_catalog().forms.values()]
    summary, problems, message = None, None, None
    status = 200
    suffix = FilePath(file.filename or "upload.csv").suffix.lower() or ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = FilePath(tmp) / f"upload{suffix}"
        path.write_bytes(await file.read())
        try:
            summary = import_scoped(
                request.app.state.htz,
                user,
                path,
                form,
                unit or None,
                keep_valid,
                lang,
                file.filename or path.name,
            )
            problems = summary.issues
        except ImportProblemsError as exc:
            problems, message, status = exc.issues, exc.message, 422
        except InputError as exc:
            message, status = exc.message, 400
    return page(
        request,
        "upload.html",
        status=status,
        forms=forms,
        summary=summary,
        problems=problems,
        message=message,
    )


def import_scoped(app, user: User, path, form: str, unit, keep_valid: bool, lang: str, name: str):
    """Import a file after checking that every row is in the user's scope. Messages name
    the file as it was uploaded (``name``), never the server's temporary copy."""
    try:
        summary = _import_scoped(app, user, path, form, unit, keep_valid, lang, name)
    except HtzError as exc:
        exc.message = exc.message.replace(str(path), name)
        exc.args = (exc.message,)
        raise
    summary.source = name
    return summary


def _import_scoped(app, user: User, path, form: str, unit, keep_valid: bool, lang, name: str):
    from htz.reporting.imports import read_upload

    upload = read_upload(path, form, load_catalog(), unit=unit)
    codes = set(upload.table.column("uscc").to_pylist()) if upload.table.num_rows else set()
    with app.connect() as conn:
        if user.role == "enterprise":
            outside = sorted(c for c in codes if c != user.scope)
        elif user.role == "zone":
            inside = set(
                conn.execute(
                    sa.select(enterprises.c.uscc).where(enterprises.c.zone_code == user.scope)
                ).scalars()
            )
            outside = sorted(c for c in codes if c not in inside)
        else:
            outside = []
    if outside:
        raise InputError(
            f"{name}: {len(outside)} enterprise(s) outside your scope ({', '.join(outside[:5])}"
            f"{' …' if len(outside) > 5 else ''}); remove their rows and upload again."
        )
    with app.connect() as conn:
        return service.import_reports(
            conn, user.username, path, form, unit=unit, keep_valid=keep_valid, lang=lang
        )
