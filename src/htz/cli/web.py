"""`htz serve`, `htz publish` and `htz users`."""

from __future__ import annotations

import getpass

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from htz import app as application
from htz.accounts import users as accounts
from htz.cli.output import Format, console, emit_rows
from htz.errors import ConfigError, InputError


def register(app: typer.Typer, state) -> None:
    users = typer.Typer(help="Accounts of the web site.", no_args_is_help=True)
    app.add_typer(users, name="users")

    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", help="address to listen on"),
        port: int = typer.Option(8000, help="port"),
        workers: int | None = typer.Option(
            None, help="worker processes (default HTZ_WORKERS; 1 with SQLite)"
        ),
    ) -> None:
        """Serve the web site and the API."""
        run_server(state, host, port, workers)

    @app.command("publish")
    def publish(
        period: list[str] = typer.Option(
            None, "--period", help="periods to publish (default: every quarter and year)"
        ),
        headline: str | None = typer.Option(
            None, help="the period the public dashboard opens on, e.g. 2023-Q3"
        ),
        snapshot: str | None = typer.Option(None, help="snapshot id (default: the newest)"),
    ) -> None:
        """Publish the bulletins of a snapshot: what the public site and open data show."""
        result = publish_with_progress(state.app, period or None, snapshot)
        if headline:
            application.set_headline(state.app, headline)
        console.print(
            f"published snapshot {result.snapshot}: {len(result.periods)} periods "
            f"({len(result.computed)} computed, {len(result.reused)} unchanged since an "
            "earlier publication)."
        )

    @users.command("add")
    def users_add(
        username: str = typer.Argument(..., help="sign-in name"),
        role: str = typer.Option(..., help="enterprise, zone, province or national"),
        zone: str | None = typer.Option(None, help="zone code (role zone)"),
        province: str | None = typer.Option(None, help="GB/T 2260 code (role province)"),
        uscc: str | None = typer.Option(None, help="the enterprise's USCC (role enterprise)"),
        name: str | None = typer.Option(None, help="full name shown on the site"),
        password: str | None = typer.Option(
            None,
            envvar="HTZ_NEW_PASSWORD",
            help="password (default: asked twice; or HTZ_NEW_PASSWORD)",
        ),
    ) -> None:
        """Create a user with a role and its scope."""
        scope = {"zone": zone, "province": province, "enterprise": uscc}.get(role)
        given = [o for o, v in (("--zone", zone), ("--province", province), ("--uscc", uscc)) if v]
        if role in ("zone", "province", "enterprise") and len(given) > 1:
            raise InputError(f"a {role} user takes one scope; drop {', '.join(given[1:])}.")
        if role == "national" and given:
            raise InputError(f"a national user sees everything: drop {', '.join(given)}.")
        password = password or _ask_password()
        with state.app.connect() as conn:
            user = accounts.add(conn, state.settings.user, username, password, role, scope, name)
        console.print(f"user {user.username} ({user.role}{' ' + user.scope if user.scope else ''})")

    @users.command("list")
    def users_list(format: Format = typer.Option(Format.table, "--format")) -> None:
        """Every account with its role and scope."""
        with state.app.connect() as conn:
            rows = accounts.list_users(conn)
        emit_rows(rows, format, ["username", "name", "role", "scope", "active"])

    @users.command("password")
    def users_password(
        username: str,
        password: str | None = typer.Option(None, envvar="HTZ_NEW_PASSWORD"),
    ) -> None:
        """Set a new password."""
        password = password or _ask_password()
        with state.app.connect() as conn:
            accounts.set_password(conn, state.settings.user, username, password)
        console.print(f"password of {username} changed.")

    @users.command("disable")
    def users_disable(username: str) -> None:
        """Stop a user from signing in (sessions end at once)."""
        with state.app.connect() as conn:
            accounts.set_active(conn, state.settings.user, username, False)
        console.print(f"{username} can no longer sign in.")


def _ask_password() -> str:
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise InputError("the two passwords differ; try again.")
    return first


def publish_with_progress(app, periods, snapshot=None):
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("Publishing", total=None)

        def say(period: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=f"Publishing {period}")

        return application.publish(app, periods, snapshot, say)


def run_server(state, host: str, port: int, workers: int | None) -> None:
    import os

    import uvicorn

    settings = state.settings
    workers = workers or settings.workers
    sqlite = settings.database_url.startswith("sqlite")
    if sqlite and workers > 1:
        raise ConfigError(
            f"{workers} workers need PostgreSQL (HTZ_DATABASE_URL); the SQLite default "
            "serves with one worker."
        )
    state.close()
    url = f"http://{host}:{port}/"
    console.print(f"htz is serving at [bold]{url}[/bold] (Ctrl+C stops it)")
    if workers > 1:
        # each worker process reads the same settings from the environment
        os.environ.setdefault("HTZ_DATA_DIR", str(settings.data_dir))
        os.environ.setdefault("HTZ_DATABASE_URL", settings.database_url)
        uvicorn.run(
            "htz.web.app:factory",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            proxy_headers=True,
        )
    else:
        from htz.web.app import create_app

        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning",
                    proxy_headers=True)  # fmt: skip
