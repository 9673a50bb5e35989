"""Cookies, CSRF and the signed-in user of a request.

CSRF: a random ``htz_csrf`` cookie (HttpOnly, SameSite=Lax) and, in every form and in the
``X-CSRF-Token`` header of htmx and API calls, ``HMAC(secret, cookie)``. An unsafe request
(POST, PUT, PATCH, DELETE) without the matching token is refused with 403 before any
handler runs: the signed double-submit pattern, which also covers the sign-in form.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from fastapi import Request

from htz.accounts import sessions
from htz.accounts.users import User
from htz.errors import AuthError, ForbiddenError

SESSION_COOKIE = "htz_session"
CSRF_COOKIE = "htz_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def secret_key(data_dir: Path, configured: str | None = None) -> bytes:
    """The server's signing key: HTZ_SECRET_KEY, else ``secret.key`` in the data directory
    (created once with 32 random bytes, readable by its owner only, shared by workers)."""
    if configured:
        return configured.encode()
    path = data_dir / "secret.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)  # first writer wins; the others read its key
        tmp.unlink()
    return path.read_bytes()


def csrf_token(secret: bytes, cookie: str) -> str:
    return hmac.new(secret, b"csrf:" + cookie.encode(), hashlib.sha256).hexdigest()


def csrf_cookie(request: Request) -> str:
    """The request's CSRF cookie, or a new one that the response will set."""
    value = request.cookies.get(CSRF_COOKIE)
    if not value or len(value) > 64:
        value = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(24)
        request.state.new_csrf = value
    return value


def token_for(request: Request) -> str:
    return csrf_token(request.app.state.secret, csrf_cookie(request))


async def check_csrf(request: Request) -> None:
    """Refuse an unsafe request whose CSRF token is missing or wrong."""
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = csrf_token(request.app.state.secret, cookie) if cookie else None
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise ForbiddenError(
            "the form's security token is missing or out of date (CSRF check); reload the "
            "page and send it again."
        )


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def user_of(request: Request) -> User | None:
    """The signed-in user (looked up once per request)."""
    if not hasattr(request.state, "user"):
        token = request.cookies.get(SESSION_COOKIE)
        user = None
        if token:
            with request.app.state.htz.read() as conn:
                user = sessions.user_of(conn, token)
        request.state.user = user
    return request.state.user


def require_user(request: Request) -> User:
    user = user_of(request)
    if user is None:
        raise AuthError("sign in to see this page.")
    return user


def cookie_secure(request: Request) -> bool:
    return request.url.scheme == "https"
