"""The `htz` command: parses arguments, calls htz, prints. Errors become one line and exit 2."""

from __future__ import annotations

import sys

import typer

from htz import app as application
from htz import config
from htz.cli.output import err_console
from htz.errors import HtzError, ImportProblemsError

app = typer.Typer(
    help="htz: statistics, evaluation and publication for a national programme of high-tech zones.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class State:
    """Settings read once per invocation; the app is built on first use."""

    def __init__(self) -> None:
        self.settings: config.Settings | None = None
        self._app: application.App | None = None

    @property
    def app(self) -> application.App:
        if self._app is None:
            assert self.settings is not None
            self._app = application.build(self.settings)
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
        self._app = None


state = State()


def _version(show: bool) -> None:
    if show:
        from importlib.metadata import version

        typer.echo(f"htz {version('htz')}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="print htz's version"
    ),
) -> None:
    state.close()
    state.settings = config.load()


def _register() -> None:
    from htz.cli import analytics, demo, disclosure, evaluation, registry, reporting, system, web

    system.register(app, state)
    registry.register(app, state)
    reporting.register(app, state)
    analytics.register(app, state)
    demo.register(app, state)
    evaluation.register(app, state)
    web.register(app, state)
    disclosure.register(app, state)


_register()


def _print_problems(exc: ImportProblemsError) -> None:
    for issue in exc.issues[:50]:
        err_console.print(f"  {issue.render()} [dim]({issue.code})[/dim]", highlight=False)
    if len(exc.issues) > 50:
        err_console.print(f"  … and {len(exc.issues) - 50} more", highlight=False)


def main(argv: list[str] | None = None) -> None:
    try:
        app(args=argv, standalone_mode=True)
    except HtzError as exc:
        if isinstance(exc, ImportProblemsError):
            _print_problems(exc)
        err_console.print(f"[bold red]error:[/bold red] {exc.message}", highlight=False)
        sys.exit(exc.exit_code)
    finally:
        state.close()
