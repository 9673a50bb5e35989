"""Signing in and out. Attempts are throttled and written to the audit log."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from htz import audit
from htz.accounts import sessions, throttle, users
from htz.errors import AuthError, ThrottledError
from htz.web import security
from htz.web.render import page

router = APIRouter(include_in_schema=False, dependencies=[Depends(security.check_csrf)])
Lang = Annotated[str, Path(pattern="^(zh|en|vi)$")]
HOME = {"enterprise": "reports", "zone": "review", "province": "review", "national": "national"}


def _safe_next(target: str | None, lang: str) -> str | None:
    """Only a path on this site (no scheme, no host) may follow a sign-in."""
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@router.get("/{lang}/login")
def login_form(request: Request, lang: Lang, next: str | None = None) -> Response:
    return page(request, "login.html", next=_safe_next(next, lang), error=None)


def sign_in(app, username: str, password: str, address: str):
    """Check throttling and the password; record the attempt whatever the outcome."""
    with app.read() as conn:
        throttle.check(conn, username, address)
    with app.connect() as conn:
        user = users.verify_password(conn, username, password)
        throttle.record(conn, username, address, ok=user is not None)
        audit.append(
            conn,
            username[:64],
            "login" if user else "login_failed",
            "user",
            username[:128],
            None,
            {"address": address},
        )
        token = sessions.start(conn, user) if user else None
    return user, token


@router.post("/{lang}/login")
def login(
    request: Request,
    lang: Lang,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str | None, Form()] = None,
) -> Response:
    app = request.app.state.htz
    try:
        user, token = sign_in(app, username.strip(), password, security.client_address(request))
    except ThrottledError as exc:
        response = page(
            request, "login.html", status=429, next=_safe_next(next, lang), error="throttled"
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if user is None:
        return page(request, "login.html", status=401, next=_safe_next(next, lang), error="wrong")
    target = _safe_next(next, lang) or f"/{lang}/{HOME[user.role]}"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        security.SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=security.cookie_secure(request),
        max_age=int(sessions.LIFETIME.total_seconds()),
        path="/",
    )
    return response


@router.post("/{lang}/logout")
def logout(request: Request, lang: Lang) -> Response:
    token = request.cookies.get(security.SESSION_COOKIE)
    user = security.user_of(request)
    with request.app.state.htz.connect() as conn:
        sessions.end(conn, token)
        if user:
            audit.append(conn, user.username, "logout", "user", user.username, None, None)
    response = RedirectResponse(f"/{lang}/", status_code=303)
    response.delete_cookie(security.SESSION_COOKIE, path="/")
    return response


__all__ = ["AuthError", "router", "sign_in"]
