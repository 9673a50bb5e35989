"""Locust users of the public site for benchmarks/web_load.py (also usable on its own).

Every user is an anonymous visitor who keeps its connection (and the CSRF cookie the
pages set) and mixes the public dashboard, zone pages and their JSON twins:

    weight  request
      3     GET /en/                                  dashboard page (English)
      1     GET /zh/                                  dashboard page (Chinese)
      2     GET /api/v1/dashboard?period=2023-Q3      the dashboard's JSON
      2     GET /en/zones/<random zone>               zone page
      2     GET /api/v1/zones/<random zone>           the zone page's JSON
      1     GET /api/v1/aggregates?period=2023-Q3&level=province

Environment: ``HTZ_BENCH_WAIT`` = ``think`` (default: ``between(0.5, 1.5)`` s between
requests, about one request per user and second) or ``none`` (no think time: saturation);
``HTZ_BENCH_PERIOD`` (default 2023-Q3); ``HTZ_BENCH_ZONES`` (comma-separated zone codes;
default: read once from ``/api/v1/zones`` when the test starts).

    locust -f benchmarks/web_locustfile.py --headless -u 50 -r 50 -t 60s \\
        --host http://127.0.0.1:8000 --csv /tmp/web
"""

from __future__ import annotations

import json
import os
import random
import urllib.request

from locust import FastHttpUser, between, constant, events, task

PERIOD = os.environ.get("HTZ_BENCH_PERIOD", "2023-Q3")
ZONES: list[str] = [z for z in os.environ.get("HTZ_BENCH_ZONES", "").split(",") if z]
THINK = os.environ.get("HTZ_BENCH_WAIT", "think")
if THINK not in ("think", "none"):
    raise SystemExit(f"HTZ_BENCH_WAIT={THINK!r}: use think or none")


@events.test_start.add_listener
def _zones(environment, **_kwargs) -> None:
    if ZONES:
        return
    url = f"{environment.host.rstrip('/')}/api/v1/zones?per_page=1000"
    with urllib.request.urlopen(url, timeout=30) as response:
        ZONES.extend(z["code"] for z in json.load(response)["items"])


class Visitor(FastHttpUser):
    wait_time = between(0.5, 1.5) if THINK == "think" else constant(0)

    @task(3)
    def dashboard_en(self) -> None:
        self.client.get("/en/")

    @task(1)
    def dashboard_zh(self) -> None:
        self.client.get("/zh/")

    @task(2)
    def dashboard_api(self) -> None:
        self.client.get(f"/api/v1/dashboard?period={PERIOD}")

    @task(2)
    def zone_page(self) -> None:
        self.client.get(f"/en/zones/{random.choice(ZONES)}", name="/en/zones/[code]")

    @task(2)
    def zone_api(self) -> None:
        self.client.get(f"/api/v1/zones/{random.choice(ZONES)}", name="/api/v1/zones/[code]")

    @task(1)
    def aggregates_api(self) -> None:
        self.client.get(f"/api/v1/aggregates?period={PERIOD}&level=province")
