"""`htz demo`: a synthetic national programme, run through the real pipeline."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from htz import app as application
from htz.analytics import bulletin
from htz.analytics.frame import open_frame
from htz.cli.output import console
from htz.cli.web import publish_with_progress, run_server
from htz.demo import accounts, pipeline
from htz.errors import InputError

HEADLINE = "2023-Q3"  # the period of the published figures the demo is calibrated to
STAGES = {
    "generate": "Generating enterprises and reports",
    "calibrate": "Calibrating to the published totals",
    "pipeline": "Import, validate, approve, impute",
    "snapshot": "Building the snapshot",
}


def register(app: typer.Typer, state) -> None:
    @app.command("demo")
    def demo(
        scale: str = typer.Option(
            "small", help="small (~20,000 enterprises) or national (~200,000)"
        ),
        seed: int = typer.Option(2023, help="random seed"),
        no_serve: bool = typer.Option(False, "--no-serve", help="exit after printing the headline"),
        host: str = typer.Option("127.0.0.1", help="address the site listens on"),
        port: int = typer.Option(8000, help="port of the site"),
    ) -> None:
        """Build a synthetic demo in the data directory, print the 2023-Q3 headline and the
        demo accounts, and serve the web site (unless --no-serve)."""
        if scale not in ("small", "national", "tiny"):
            raise InputError(f"--scale {scale!r}: use small or national.")
        application.prepare_demo(state.settings)
        application.init(state.app)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            tasks: dict[str, int] = {}

            def say(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = progress.add_task(STAGES[stage], total=total)
                progress.update(tasks[stage], completed=done, total=total)

            result = pipeline.run(state.app, scale, seed, say)
        publish_with_progress(state.app, None)
        application.set_headline(state.app, HEADLINE)
        with state.app.connect() as conn:
            made = accounts.create(conn)
        frame = open_frame(application.latest_snapshot(state.app))
        data = bulletin.compute(frame, HEADLINE, application.meta(state.app))
        _headline(data, result)
        console.print("[bold]Demo accounts[/bold] (synthetic data):")
        for a in made:
            scope = a.scope or "everything"
            console.print(f"  {a.username}  password {a.password}  ({a.role}, {scope}): {a.note}")
        if not no_serve:
            run_server(state, host, port, None)
        else:
            console.print(f"See it in a browser: htz serve, then http://{host}:{port}/")


def _headline(data: dict, result: pipeline.DemoResult) -> None:
    gdp = data["headline"]["zone_gdp"]
    revenue = data["headline"]["operating_revenue"]
    shares = data["platform_shares"]
    console.print(
        f"[bold]SYNTHETIC DEMO DATA[/bold] — {result.enterprises:,} enterprises, "
        f"{result.reports:,} reports, snapshot {data['snapshot']}"
    )
    console.print(
        f"{data['zones']} national high-tech zones; in the first three quarters of 2023 "
        f"zone GDP {gdp['value'] / 1e12:.2f} trillion yuan, "
        f"{gdp['growth_comparable']:+.2%} on a comparable basis "
        f"({gdp['growth_current']:+.2%} current basis); operating revenue "
        f"{revenue['value'] / 1e12:.2f} trillion yuan."
    )
    labs = shares.get("national_key_laboratory")
    mics = shares.get("national_manufacturing_innovation_centre")
    console.print(
        f"Zones host {labs:.0%} of national key laboratories and {mics:.0%} of national "
        f"manufacturing innovation centres. Reporting rate "
        f"{data['quality']['reporting_rate']:.1%}; imputed share of zone GDP "
        f"{data['quality']['imputed_share'].get('zone_gdp', 0):.2%}."
    )
