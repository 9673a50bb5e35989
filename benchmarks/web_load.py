"""The public dashboard and its API under 50 concurrent clients: locust against `htz serve`.

Issue requirement: p50/p95/p99 latency and throughput of the public site on the
national-scale demo, 50 concurrent clients on loopback, target p95 < 100 ms.

Preparation (``--prepare``; done automatically when missing, cached under ``--work``,
default /tmp/htz-bench-web): the national-scale snapshot of ``analytics_bulletin.py``
(htz's demo generator and calibration for the 178 real zones, ~200,000 enterprises,
2021-2023, written in the snapshot layout without the import pipeline) is written
straight into a data directory, which then gets ``htz init``, the demo's platforms, the
snapshot's row in ``snapshots``, meta ``synthetic`` and ``htz publish --headline
2023-Q3``: the same published bulletins a national statistician's ``htz build`` + ``htz
publish`` would give. Twice: SQLite in that directory (configuration A) and PostgreSQL
(``--postgres``, configuration B; a second data directory sharing the warehouse).

Each run: both servers are started (``htz serve`` on 127.0.0.1, free ports; A: SQLite,
1 worker; B: PostgreSQL, ``--workers 2``), waited for, warmed up and checked (the
dashboard's zone GDP tile equals the published bulletin's headline); then, interleaved
config by config, ``--runs`` locust runs (headless, ``web_locustfile.py``, 50 users
spawned at once, ``--duration`` s) with think time ``between(0.5, 1.5)`` s, and
``--saturation-runs`` runs without think time. Prints per endpoint and aggregated:
requests, failures, p50/p95/p99 (ms), requests/s, the medians over the runs, and the CPU
seconds the server and locust used; ``--json`` writes everything.

    python benchmarks/web_load.py --prepare             # build the data (~minutes), once
    python benchmarks/web_load.py                       # 3 + 3 runs per config, 60 s each
    python benchmarks/web_load.py --runs 1 --saturation-runs 0 --duration 20  # quick
    python benchmarks/web_load.py --configs A           # SQLite only
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import csv
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from importlib import metadata
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

WORK = Path("/tmp/htz-bench-web")
LOCUSTFILE = HERE / "web_locustfile.py"
BIN = Path(sys.executable).parent
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1/htz_bench_web"
PERIOD = "2023-Q3"
SEED = 2023
TARGET_P95_MS = 100.0
ACTOR = "bench"
ENDPOINTS = (
    "/en/",
    "/zh/",
    f"/api/v1/dashboard?period={PERIOD}",
    "/en/zones/[code]",
    "/api/v1/zones/[code]",
    f"/api/v1/aggregates?period={PERIOD}&level=province",
    "Aggregated",
)


def say(text: str) -> None:
    print(text, flush=True)


# ---------------------------------------------------------------- preparation


def htz_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HTZ_")}
    env.update({"HTZ_DATA_DIR": str(data_dir), "HTZ_USER": ACTOR})
    if database_url:
        env["HTZ_DATABASE_URL"] = database_url
    return env


def run_htz(args: list[str], env: dict[str, str], cwd: Path) -> float:
    """Run the htz CLI (as a statistician would), return its wall time."""
    t0 = time.perf_counter()
    subprocess.run([str(BIN / "htz"), *args], env=env, cwd=cwd, check=True)
    return time.perf_counter() - t0


def fresh_postgres(url: str) -> None:
    """Drop and create the benchmark's own PostgreSQL database."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    admin.dispose()


def prepare_database(data_dir: Path, database_url: str | None, snap, enterprises: int) -> dict:
    """``htz init``, platforms, the snapshot's row, meta synthetic, ``htz publish``."""
    from htz import app as application
    from htz import config
    from htz.registry import platforms as registry_platforms
    from htz.reporting import export
    from htz.tabular import read_table

    env = htz_env(data_dir, database_url)
    times = {"init": run_htz(["init"], env, data_dir)}
    t0 = time.perf_counter()
    settings = config.load(environ=env, cwd=data_dir)
    app = application.build(settings)
    with app.connect() as conn:
        # the platforms the snapshot's registry was made from (zone pages list them)
        table = read_table(snap.root / "reference" / "platforms.csv")
        registry_platforms.import_platforms(conn, registry_platforms.check(conn, table))
        export.record_snapshot(
            conn,
            ACTOR,
            snap.id,
            f"snapshots/{snap.id}.json",
            len(snap.partitions),
            len(snap.partitions),
            snap.manifest["audit_head"],
        )
        export.set_meta(
            conn,
            "synthetic",
            f"htz demo generator (benchmarks/web_load.py), scale national, seed {SEED}",
        )
    app.close()
    times["record"] = time.perf_counter() - t0
    times["publish"] = run_htz(["publish", "--headline", PERIOD], env, data_dir)
    folder = data_dir / "published" / snap.id
    files = sorted(folder.glob("*.json"))
    return {
        "data_dir": str(data_dir),
        "database_url": database_url or f"sqlite:///{data_dir / 'htz.db'}",
        "snapshot": snap.id,
        "enterprises": enterprises,
        "observations": sum(p["rows"] for p in snap.partitions.values()),
        "published_files": len(files),
        "published_bytes": sum(f.stat().st_size for f in files),
        "headline_bytes": (folder / f"{PERIOD}.json").stat().st_size,
        "seconds": times,
    }


def prepare(work: Path, postgres: str | None, configs: str, scale: str = "national") -> dict:
    """Both data directories, cached: ``ready-<scale>-<config>.json`` marks a finished one."""
    from analytics_bulletin import build_demo_snapshot

    from htz.analytics import snapshot as snapshots

    work.mkdir(parents=True, exist_ok=True)
    out: dict[str, dict] = {}
    t0 = time.perf_counter()
    snap = build_demo_snapshot(work, scale, SEED, "imputed")
    built = time.perf_counter() - t0
    ready = json.loads((snap.root / "ready.json").read_text())
    if "A" in configs:
        marker = work / f"ready-{scale}-A.json"
        if not marker.exists():
            say(f"preparing A (SQLite) in {snap.root} …")
            root = snap.root
            for path in root.glob("htz.db*"):
                path.unlink()
            shutil.rmtree(root / "published", ignore_errors=True)
            info = prepare_database(root, None, snap, ready["enterprises"])
            info["seconds"]["snapshot"] = built
            marker.write_text(json.dumps(info, indent=1))
        out["A"] = json.loads(marker.read_text())
    if "B" in configs:
        if not postgres:
            sys.exit("configuration B needs --postgres URL")
        marker = work / f"ready-{scale}-B.json"
        if not marker.exists() or json.loads(marker.read_text())["database_url"] != postgres:
            data_dir = work / f"postgres-{scale}"
            say(f"preparing B (PostgreSQL {postgres}) in {data_dir} …")
            shutil.rmtree(data_dir, ignore_errors=True)
            data_dir.mkdir()
            for sub in (snapshots.WAREHOUSE, snapshots.MANIFESTS, "reference"):
                (data_dir / sub).symlink_to(snap.root / sub)
            fresh_postgres(postgres)
            info = prepare_database(
                data_dir, postgres, snapshots.load(data_dir, snap.id), ready["enterprises"]
            )
            info["seconds"]["snapshot"] = built
            marker.write_text(json.dumps(info, indent=1))
        out["B"] = json.loads(marker.read_text())
    for name, info in out.items():
        s = info["seconds"]
        say(
            f"data {name}: {info['enterprises']:,} enterprises, {info['observations']:,} "
            f"observations, {info['published_files']} bulletins published "
            f"({info['published_bytes'] / 1e6:.1f} MB; {PERIOD}: "
            f"{info['headline_bytes'] / 1e6:.2f} MB); prepared in "
            + ", ".join(f"{k} {v:.0f} s" for k, v in s.items())
        )
    return out


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Server:
    """``htz serve`` in its own process group (stopped with it)."""

    def __init__(self, name: str, info: dict, workers: int, logs: Path) -> None:
        self.name, self.info, self.workers = name, info, workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        data_dir = Path(info["data_dir"])
        url = None if info["database_url"].startswith("sqlite") else info["database_url"]
        self.command = [str(BIN / "htz"), "serve", "--host", "127.0.0.1",
                        "--port", str(self.port), "--workers", str(workers)]  # fmt: skip
        self.env_shown = f"HTZ_DATA_DIR={data_dir}" + (f" HTZ_DATABASE_URL={url}" if url else "")
        logs.mkdir(parents=True, exist_ok=True)
        self.log = (logs / f"serve-{name}.log").open("w")
        self.proc = subprocess.Popen(self.command, env=htz_env(data_dir, url), cwd=data_dir,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)  # fmt: skip

    def wait(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"server {self.name} exited ({self.proc.returncode}); see {self.log.name}")
            try:
                if get(self.base + "/api/v1/releases", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        sys.exit(f"server {self.name} did not answer within {timeout} s")

    def processes(self) -> list[psutil.Process]:
        try:
            parent = psutil.Process(self.proc.pid)
            return [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def cpu_seconds(self) -> float:
        total = 0.0
        for p in self.processes():
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total

    def rss_mb(self) -> float:
        return sum(p.memory_info().rss for p in self.processes()) / 2**20

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def zone_codes(base: str) -> list[str]:
    status, body = get(base + "/api/v1/zones?per_page=1000")
    assert status == 200, status
    return [z["code"] for z in json.loads(body)["items"]]


def warm_up(base: str, zones: list[str], rounds: int = 8) -> list[str]:
    """Every endpoint and every zone (page and JSON), from 4 threads (reaches both
    workers' caches). Returns the zones whose page or JSON does not answer 200."""
    fixed = [base + p for p in ENDPOINTS[:3] + ENDPOINTS[5:6]]
    per_zone = [(z, f"{base}/{kind}/zones/{z}") for z in zones for kind in ("en", "api/v1")]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for url, (status, _) in zip(fixed * rounds, pool.map(get, fixed * rounds), strict=True):
            if status != 200:
                sys.exit(f"warm-up: {url} answered {status}")
        statuses = list(pool.map(get, [url for _, url in per_zone]))
    broken = sorted(
        {z for (z, _), (status, _) in zip(per_zone, statuses, strict=True) if status != 200}
    )
    return broken


def verify(base: str, info: dict) -> dict:
    """The dashboard shows the published figures: zone GDP tile = bulletin headline."""
    dash = json.loads(get(base + "/api/v1/dashboard")[1])
    bulletin = json.loads(get(base + f"/api/v1/bulletins/{PERIOD}")[1])
    folder = Path(info["data_dir"]) / "published" / info["snapshot"]
    on_disk = json.loads((folder / f"{PERIOD}.json").read_bytes())
    tile = dash["tiles"]["zone_gdp"]["value"]
    head = bulletin["headline"]["zone_gdp"]["value"]
    disk = on_disk["headline"]["zone_gdp"]["value"]
    code = dash["ranking"][0]["code"]
    zone = json.loads(get(base + f"/api/v1/zones/{code}?period={PERIOD}")[1])
    published_zone = next(z for z in on_disk["by_zone"] if z["code"] == code)
    checks = {
        "default period": dash["period"] == PERIOD,
        "snapshot": dash["snapshot"] == info["snapshot"],
        "zone_gdp tile = bulletin headline = published file": tile == head == disk,
        "zones": dash["zones"] == on_disk["zones"],
        f"zone {code} GDP = published": zone["figures"]["zone_gdp"]["value"]
        == published_zone["zone_gdp"]["value"],
    }
    ok = all(checks.values())
    result = "equal" if ok else f"FAILED {checks}"
    say(f"  check {base}: {PERIOD} zone GDP {tile:,.0f} (tile) vs {head:,.0f} (bulletin) vs "
        f"{disk:,.0f} (file), {dash['zones']} zones: {result}")  # fmt: skip
    return {"ok": ok, "checks": checks, "zone_gdp": tile}


# ---------------------------------------------------------------- locust


def run_locust(server: Server, zones: list[str], mode: str, args, prefix: Path) -> dict:
    command = [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless",
               "-u", str(args.users), "-r", str(args.users), "-t", f"{args.duration}s",
               "--host", server.base, "--csv", str(prefix), "--only-summary",
               "--loglevel", "WARNING"]  # fmt: skip
    env = {**os.environ, "HTZ_BENCH_WAIT": mode, "HTZ_BENCH_PERIOD": PERIOD,
           "HTZ_BENCH_ZONES": ",".join(zones)}  # fmt: skip
    load = os.getloadavg()
    cpu0 = server.cpu_seconds()
    child0 = os.times()
    t0 = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)  # fmt: skip
    wall = time.perf_counter() - t0
    child1 = os.times()
    server_cpu = server.cpu_seconds() - cpu0
    locust_cpu = (child1.children_user + child1.children_system) - (
        child0.children_user + child0.children_system
    )
    stats = parse_stats(Path(f"{prefix}_stats.csv"))
    if "Aggregated" not in stats:
        sys.exit(f"locust wrote no stats (exit {done.returncode}):\n{done.stdout[-3000:]}")
    return {
        "config": server.name,
        "mode": mode,
        "load_before": load,
        "wall_s": wall,
        "server_cpu_s": server_cpu,
        "locust_cpu_s": locust_cpu,
        "server_rss_mb": server.rss_mb(),
        "stats": stats,
        "command": " ".join(command),
        "exit": done.returncode,
    }


def parse_stats(path: Path) -> dict[str, dict]:
    out = {}
    with path.open() as fh:
        for row in csv.DictReader(fh):
            out[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
                "mean": float(row["Average Response Time"]),
                "max": float(row["Max Response Time"]),
                "rps": float(row["Requests/s"]),
                "bytes": float(row["Average Content Size"]),
            }
    return out


def medians(runs: list[dict]) -> dict[str, dict]:
    names = [n for n in ENDPOINTS if all(n in r["stats"] for r in runs)]
    return {
        name: {
            key: statistics.median(r["stats"][name][key] for r in runs)
            for key in runs[0]["stats"][name]
        }
        for name in names
    }


def table(title: str, runs: list[dict]) -> str:
    med = medians(runs)
    lines = [
        title,
        f"  {'endpoint':48s} {'requests':>8s} {'fail':>5s} {'p50':>6s} {'p95':>6s} "
        f"{'p99':>6s} {'req/s':>7s} {'KB':>6s}",
    ]
    for name, m in med.items():
        lines.append(
            f"  {name:48s} {m['requests']:8.0f} {m['failures']:5.0f} {m['p50']:6.0f} "
            f"{m['p95']:6.0f} {m['p99']:6.0f} {m['rps']:7.1f} {m['bytes'] / 1024:6.1f}"
        )
    cpu = statistics.median(r["server_cpu_s"] / r["wall_s"] for r in runs)
    loc = statistics.median(r["locust_cpu_s"] / r["wall_s"] for r in runs)
    agg = [r["stats"]["Aggregated"] for r in runs]
    lines.append(
        "  per run (Aggregated): "
        + "; ".join(f"p95 {a['p95']:.0f} ms, {a['rps']:.1f} req/s" for a in agg)
        + f"\n  CPU used: server {cpu:.2f} cores, locust {loc:.2f} cores (median); "
        "load average before the runs: " + ", ".join(f"{r['load_before'][0]:.2f}" for r in runs)
    )
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")  # fmt: skip
    names = ("htz", "fastapi", "starlette", "uvicorn", "uvloop", "httptools", "jinja2",
             "sqlalchemy", "psycopg", "locust")  # fmt: skip
    versions = {}
    for n in names:
        try:
            versions[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            versions[n] = None
    pg = None
    psql = ["psql", "-U", "postgres", "-h", "127.0.0.1", "-tAc", "show server_version"]
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        pg = subprocess.run(psql, capture_output=True, text=True, timeout=10).stdout.strip()
    git = ["git", "-C", str(HERE.parent)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain", "src"], capture_output=True, text=True)
    return {
        "git": head.stdout.strip() + (" + uncommitted changes in src/" if dirty.stdout else ""),
        "cpu": cpu,
        "nproc": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "postgresql": pg,
        "load": os.getloadavg(),
        "packages": versions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prepare", action="store_true", help="only build the data")
    parser.add_argument("--configs", default="AB", help="A (SQLite, 1 worker), B (PG, 2)")
    parser.add_argument("--runs", type=int, default=3, help="runs with think time per config")
    parser.add_argument("--saturation-runs", type=int, default=3, help="runs without")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds per run")
    parser.add_argument("--postgres", default=PG_DEFAULT, help="database of configuration B")
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--json", type=Path, help="write machine, data, runs and medians here")
    parser.add_argument("--scale", default="national", help=argparse.SUPPRESS)  # tests
    parser.add_argument("--keep-serving", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    start = machine()
    say(f"{start['cpu']}, {start['nproc']} CPUs, {start['ram_gb']} GB RAM, Python "
        f"{start['python']}, load {start['load']}")  # fmt: skip
    say("  " + ", ".join(f"{k} {v}" for k, v in start["packages"].items()))
    say(f"  PostgreSQL {start['postgresql']}, htz at {start['git']}")
    t0 = time.perf_counter()
    if args.scale != "national" and args.postgres == PG_DEFAULT:
        args.postgres += f"_{args.scale}"
    data = prepare(args.work, args.postgres, args.configs, args.scale)
    say(f"preparation: {time.perf_counter() - t0:.0f} s this time")
    if args.prepare:
        return

    stamp = time.strftime("%Y%m%d-%H%M%S")
    out_dir = args.work / "runs" / stamp
    servers = {}
    try:
        for name in args.configs:
            workers = 1 if name == "A" else 2
            servers[name] = Server(name, data[name], workers, out_dir)
        zones = []
        for name, server in servers.items():
            server.wait()
            say(f"config {name}: {server.env_shown} {' '.join(server.command)}")
            t = time.perf_counter()
            every = zone_codes(server.base)
            broken = warm_up(server.base, every)
            say(f"  warm-up {time.perf_counter() - t:.1f} s, RSS {server.rss_mb():.0f} MB")
            if broken:
                say(f"  BUG: {len(broken)} of {len(every)} zones answer an error on their "
                    f"page or JSON; left out of the load test: {' '.join(broken)}")  # fmt: skip
            data[name]["broken_zones"] = broken
            zones = [z for z in every if z not in broken]
            data[name]["verify"] = verify(server.base, data[name])
        if args.keep_serving:
            say("serving: " + ", ".join(f"{n} {s.base} (pid {s.proc.pid})"
                                        for n, s in servers.items()))  # fmt: skip
            while True:
                time.sleep(3600)
        runs: list[dict] = []
        plan = [("think", k) for k in range(args.runs)]
        plan += [("none", k) for k in range(args.saturation_runs)]
        for mode, k in plan:
            for name, server in servers.items():  # interleaved: drift hits both alike
                prefix = out_dir / f"{name}-{mode}-{k + 1}"
                r = run_locust(server, zones, mode, args, prefix)
                a = r["stats"]["Aggregated"]
                say(f"{name} {mode:5s} run {k + 1}: {a['requests']} requests, {a['failures']} "
                    f"failed, p50 {a['p50']:.0f} / p95 {a['p95']:.0f} / p99 {a['p99']:.0f} ms, "
                    f"{a['rps']:.1f} req/s; server CPU {r['server_cpu_s'] / r['wall_s']:.2f}, "
                    f"locust CPU {r['locust_cpu_s'] / r['wall_s']:.2f} cores; "
                    f"load before {r['load_before'][0]:.2f}")  # fmt: skip
                runs.append(r)
    finally:
        for server in servers.values():
            server.stop()
    end_load = os.getloadavg()

    say(f"\n{args.users} users, {args.duration} s per run, medians; times in ms; "
        f"CSV files in {out_dir}")  # fmt: skip
    summary = {}
    kinds = (("think", "think time between(0.5, 1.5) s", args.runs),
             ("none", "no think time (saturation)", args.saturation_runs))  # fmt: skip
    for mode, label, n in kinds:
        for name in servers:
            chosen = [r for r in runs if r["config"] == name and r["mode"] == mode]
            if not chosen:
                continue
            desc = "SQLite, 1 worker" if name == "A" else "PostgreSQL, 2 workers"
            say("\n" + table(f"{name} ({desc}), {label}, median of {n}:", chosen))
            summary[f"{name}/{mode}"] = medians(chosen)
    for name in servers:
        think = summary.get(f"{name}/think", {}).get("Aggregated")
        if think:
            met = think["p95"] < TARGET_P95_MS
            say(f"target p95 < {TARGET_P95_MS:.0f} ms at {args.users} clients, config {name}: "
                f"p95 {think['p95']:.0f} ms → {'met' if met else 'NOT met'}")  # fmt: skip
    say(f"load average at start {start['load']}, at end {end_load}")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": start, "end_load": end_load, "data": data, "users": args.users,
            "duration_s": args.duration, "runs": runs, "medians": summary,
            "locustfile": str(LOCUSTFILE.relative_to(HERE.parent))}, indent=1))  # fmt: skip
    failed = [n for n in servers if not data[n]["verify"]["ok"]]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
