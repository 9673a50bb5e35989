"""Jinja2 rendering with the request's language, user and CSRF token."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from htz.web import i18n, security

TEMPLATES = Path(__file__).with_name("templates")
ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # templates are read once: a running server never mixes versions
)


def _json_script(value) -> Markup:
    """Data for htz.js in a <script type="application/json"> (safe inside HTML)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


ENV.filters["json_script"] = _json_script


def lang_of(request: Request) -> str:
    lang = request.path_params.get("lang") or getattr(request.state, "lang", None)
    if lang in i18n.LANGS:
        return lang
    return i18n.negotiate(request.headers.get("accept-language"))


def context(request: Request, **values) -> dict:
    lang = lang_of(request)
    _ = i18n.translate(lang)
    user = security.user_of(request)
    path = request.url.path
    rest = path[len(lang) + 1 :] if path.startswith(f"/{lang}/") or path == f"/{lang}" else path
    query = f"?{request.url.query}" if request.url.query else ""
    return {
        "request": request,
        "lang": lang,
        "langs": i18n.LANGS,
        "_": _,
        "gettext": _,
        "ngettext": i18n.translate_plural(lang),
        "events": i18n.EVENTS,
        "user": user,
        "csrf_token": security.token_for(request),
        "csrf_field": security.CSRF_FIELD,
        "switch": {other: f"/{other}{rest or '/'}{query}" for other in i18n.LANGS},
        **i18n.formatters(lang),
        **values,
    }


def fragment(request: Request, template: str, **values) -> str:
    """A template rendered to a string (for parts of pages that are cached)."""
    return ENV.get_template(template).render(context(request, **values))


def page(request: Request, template: str, status: int = 200, **values) -> HTMLResponse:
    html = ENV.get_template(template).render(context(request, **values))
    return HTMLResponse(html, status_code=status)


def render_error(request: Request, status: int, message: str, exc=None) -> HTMLResponse:
    headers = {}
    if getattr(exc, "retry_after", None):
        headers["Retry-After"] = str(exc.retry_after)
    response = page(request, "error.html", status=status, status_code=status, message=message)
    response.headers.update(headers)
    return response
