"""The FastAPI application: ``create_app(settings)``; ``factory()`` for uvicorn workers."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from htz import app as application
from htz import config
from htz.config import Settings
from htz.errors import AuthError, HtzError, ThrottledError
from htz.web import api, auth, i18n, pages, security, work
from htz.web.render import lang_of, render_error

STATIC = Path(__file__).with_name("static")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(web: FastAPI):
        yield
        web.state.htz.close()

    web = FastAPI(
        lifespan=lifespan,
        title="htz API",
        version="1",
        description=(
            "Published, disclosure-checked figures of the national high-tech zones (public), "
            "and reports and imports within the signed-in user's scope."
        ),
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        swagger_ui_parameters={"defaultModelsExpandDepth": 0},
    )
    for lang in i18n.LANGS:  # a broken catalogue stops the server now, not at a first page
        i18n.translations(lang)
    web.state.htz = application.build(settings)
    web.state.settings = settings
    web.state.secret = security.secret_key(settings.data_dir, settings.secret_key)
    web.mount("/static", StaticFiles(directory=STATIC), name="static")
    # pages and JSON are 40–800 KB; compressed ~8× for browsers on real networks
    web.add_middleware(GZipMiddleware, minimum_size=2048, compresslevel=3)
    web.include_router(api.router)
    web.include_router(auth.router)
    for router in work.routers:
        web.include_router(router)
    web.include_router(pages.router)

    @web.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        new = getattr(request.state, "new_csrf", None)
        if new and security.CSRF_COOKIE not in request.cookies:
            response.set_cookie(
                security.CSRF_COOKIE,
                new,
                httponly=True,
                samesite="lax",
                secure=security.cookie_secure(request),
                path="/",
            )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/api/docs"):
            response.headers.setdefault("Content-Security-Policy", CSP)
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @web.exception_handler(HtzError)
    async def htz_error(request: Request, exc: HtzError) -> Response:
        if _is_api(request):
            return problem(exc.http_status, type(exc).__name__, exc.message, exc)
        if isinstance(exc, AuthError) and request.method == "GET":
            lang = lang_of(request)
            return RedirectResponse(f"/{lang}/login?next={request.url.path}", status_code=303)
        return render_error(request, exc.http_status, exc.message, exc)

    @web.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body')}: {e['msg']}" for e in exc.errors()
        )
        if _is_api(request):
            return problem(422, "InvalidRequest", detail)
        if all(tuple(e["loc"])[:1] == ("path",) for e in exc.errors()):
            # a page address no page has (/fr/, /en/reports/weekly/2023): not found
            return render_error(request, 404, f"there is no page at {request.url.path}.")
        return render_error(request, 422, detail)

    @web.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = str(exc.detail)
        if _is_api(request):
            return problem(exc.status_code, "HTTPError", detail)
        return render_error(request, exc.status_code, detail)

    return web


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem(status: int, kind: str, detail: str, exc: HtzError | None = None) -> JSONResponse:
    """An RFC 9457 problem+json answer."""
    body = {
        "type": f"https://htz.example.org/problems/{kind}",
        "title": kind,
        "status": status,
        "detail": detail,
    }
    headers = {}
    if isinstance(exc, ThrottledError):
        headers["Retry-After"] = str(exc.retry_after)
    if exc is not None and getattr(exc, "issues", None):
        body["issues"] = [i.__dict__ for i in exc.issues]
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def factory() -> FastAPI:
    """For ``uvicorn --factory htz.web.app:factory`` (each worker reads the settings)."""
    return create_app(config.load())
