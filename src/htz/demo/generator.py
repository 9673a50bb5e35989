"""Synthetic enterprises and their reports for the real national zones (vectorised numpy).

Everything here is synthetic: sizes are heavy-tailed (log-normal), industry mixes differ
by zone, enterprises enter and leave, zones approved in 2022–2023 report only from their
approval, and the seasonal profile of year-to-date flows is each enterprise's own. The
values are in yuan before calibration (``calibrate`` scales them to the published totals).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from htz.periods import Period
from htz.registry.uscc import ALPHABET, WEIGHTS

YEARS = (2021, 2022, 2023)
MONTHS = [Period.for_month(y, m) for y in YEARS for m in range(1, 13)]
QUARTERS = [Period.for_quarter(y, q) for y in YEARS for q in range(1, 5)]
SCALES = {"small": 20_000, "national": 200_000, "tiny": 3_000}

# divisions of GB/T 4754-2017 and their weight in the zones (high-tech manufacturing,
# software and IT services, R&D and technical services dominate)
DIVISIONS = {
    "39": 12, "38": 6, "35": 6, "34": 5, "27": 6, "26": 4, "40": 3, "36": 3, "37": 1,
    "29": 2, "33": 2, "30": 1, "65": 12, "64": 6, "63": 1, "73": 3, "74": 3, "75": 4,
    "72": 2, "51": 2, "52": 1, "70": 1, "44": 1, "77": 1,
}  # fmt: skip
MANUFACTURING = {d for d in DIVISIONS if 13 <= int(d) <= 43}
TECH_FIELD = {
    "39": "electronic_information", "63": "electronic_information",
    "64": "electronic_information", "65": "electronic_information", "27": "biomedicine",
    "37": "aerospace", "26": "new_materials", "29": "new_materials", "30": "new_materials",
    "33": "new_materials", "73": "high_tech_services", "74": "high_tech_services",
    "75": "high_tech_services", "72": "high_tech_services", "44": "new_energy",
    "38": "new_energy", "77": "resources_environment", "34": "advanced_manufacturing",
    "35": "advanced_manufacturing", "36": "advanced_manufacturing",
    "40": "advanced_manufacturing",
}  # fmt: skip
BIG_ZONES = {
    "zhongguancun": 14.0, "shenzhen": 5.0, "shanghai-zhangjiang": 5.0, "wuhan-east-lake": 4.0,
    "suzhou-industrial-park": 3.5, "guangzhou": 3.0, "hangzhou": 3.0, "xian": 3.0,
    "chengdu": 3.0, "nanjing": 2.5, "hefei": 2.5, "jinan": 2.0, "changsha": 2.0,
    "qingdao": 2.0, "tianjin-binhai": 2.0,
}  # fmt: skip
SEASON = np.array([0.07, 0.06, 0.08, 0.08, 0.085, 0.09, 0.085, 0.085, 0.09, 0.085, 0.085, 0.105])
MIN_PER_ZONE = 20


@dataclass
class Enterprises:
    uscc: np.ndarray
    zone: np.ndarray  # zone code
    division: np.ndarray
    entered: np.ndarray  # datetime64[D]
    left: np.ndarray  # datetime64[D], NaT when still there
    tech_field: np.ndarray  # object, None when not in a key field
    certified: np.ndarray
    little_giant: np.ndarray
    listed: np.ndarray

    def __len__(self) -> int:
        return len(self.uscc)


@dataclass
class Reports:
    """Year-to-date values (NaN = no report / not applicable), one array per indicator."""

    periods: list[Period]
    values: dict[str, np.ndarray]  # indicator → (enterprises × periods)
    owed: np.ndarray  # bool (enterprises × periods): the enterprise owes this report


@dataclass
class DemoData:
    seed: int
    enterprises: Enterprises
    monthly: Reports
    quarterly: Reports
    annual: Reports
    zones: list[dict]
    notes: dict = field(default_factory=dict)


def _usccs(rng: np.random.Generator, provinces: np.ndarray) -> np.ndarray:
    """Unique valid USCCs: 91 + province + '0100' + 9 random characters + check character."""
    n = len(provinces)
    alphabet = np.array(list(ALPHABET))
    seen: set[str] = set()
    out = np.empty(n, dtype=object)
    weights = np.array(WEIGHTS)
    values = {c: i for i, c in enumerate(ALPHABET)}
    body = rng.integers(0, 31, size=(n, 9))
    for i in range(n):
        while True:
            first = f"91{provinces[i] or '11'}0100" + "".join(alphabet[body[i]])
            if first not in seen:
                break
            body[i] = rng.integers(0, 31, size=9)
        seen.add(first)
        total = sum(values[c] * w for c, w in zip(first, weights, strict=True))
        out[i] = first + ALPHABET[(31 - total % 31) % 31]
    return out


def _dates(rng, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    span = (high - low).astype("timedelta64[D]").astype(np.int64)
    return low + rng.integers(0, np.maximum(span, 1)).astype("timedelta64[D]")


def enterprises(rng: np.random.Generator, zones: list[dict], n: int) -> Enterprises:
    """Allocate ``n`` enterprises to zones (heavy-tailed) and draw their attributes."""
    codes = np.array([z["code"] for z in zones])
    start = np.array([np.datetime64(z["start"], "D") for z in zones])
    old = np.array([z["start"].year <= 1992 for z in zones])
    weight = rng.lognormal(0.0, 0.8, len(zones)) * np.where(old, 3.0, 1.0)
    weight *= np.array([BIG_ZONES.get(c, 1.0) for c in codes])
    weight *= np.where(start >= np.datetime64("2022-01-01"), 0.4, 1.0)
    floor = min(MIN_PER_ZONE, n // (2 * len(zones)))  # every zone big enough to publish
    counts = floor + rng.multinomial(n - floor * len(zones), weight / weight.sum())
    zone_idx = np.repeat(np.arange(len(zones)), counts)
    divisions = np.array(list(DIVISIONS))
    base = np.array(list(DIVISIONS.values()), dtype=float)
    mix = rng.dirichlet(base * 0.6, size=len(zones))  # each zone its own industry mix
    u = rng.random(n)
    cum = np.cumsum(mix[zone_idx], axis=1)
    division = divisions[(u[:, None] > cum).sum(axis=1).clip(0, len(divisions) - 1)]
    zone_start = start[zone_idx]
    early = _dates(
        rng, np.full(n, np.datetime64("1995-01-01")), np.full(n, np.datetime64("2020-12-31"))
    )
    entered = np.maximum(early, zone_start)
    entrant = rng.random(n) < 0.10  # entered during 2021-2023
    entered = np.where(
        entrant,
        np.maximum(
            _dates(
                rng,
                np.full(n, np.datetime64("2021-01-01")),
                np.full(n, np.datetime64("2023-12-31")),
            ),
            zone_start,
        ),
        entered,
    )
    leaver = rng.random(n) < 0.06
    left_at = _dates(
        rng, np.full(n, np.datetime64("2021-01-31")), np.full(n, np.datetime64("2023-12-31"))
    )
    left = np.where(
        leaver & (left_at > entered + np.timedelta64(60, "D")), left_at, np.datetime64("NaT")
    )
    in_field = rng.random(n) < 0.7
    tech = np.array(
        [TECH_FIELD.get(d) if f else None for d, f in zip(division, in_field, strict=True)],
        dtype=object,
    )
    provinces = np.array([zones[i]["province_code"] for i in zone_idx], dtype=object)
    return Enterprises(
        uscc=_usccs(rng, provinces),
        zone=codes[zone_idx],
        division=division,
        entered=entered,
        left=left,
        tech_field=tech,
        certified=rng.random(n) < 0.35,
        little_giant=rng.random(n) < 0.03,
        listed=rng.random(n) < 0.02,
    )


def _owed(ents: Enterprises, periods: list[Period]) -> np.ndarray:
    """(enterprises × periods): in the zone on the period's last day (htz's rule)."""
    ends = np.array([np.datetime64(p.end_date, "D") for p in periods])
    owed = ents.entered[:, None] <= ends[None, :]
    left = ents.left[:, None]
    return owed & (np.isnat(left) | (left >= ends[None, :]))


def reports(rng: np.random.Generator, ents: Enterprises) -> tuple[Reports, Reports, Reports]:
    """Year-to-date monthly, quarterly and annual values of every enterprise."""
    n = len(ents)
    manufacturing = np.isin(ents.division, list(MANUFACTURING))
    zones, zone_of = np.unique(ents.zone, return_inverse=True)
    zone_growth = rng.normal(0.0, 0.03, size=(len(zones), 2))
    va = {2021: rng.lognormal(np.log(2.0e7), 1.6, n)}  # value added of the year, yuan
    for k, (year, mean) in enumerate(((2022, 0.11), (2023, 0.075))):
        g = 1.0 + rng.normal(mean, 0.12, n) + zone_growth[zone_of, k]
        va[year] = va[year - 1] * g.clip(0.62, 1.75)
    season = rng.dirichlet(SEASON * 200, size=n)  # each enterprise's own profile
    cum = np.cumsum(season, axis=1)  # year-to-date share by month
    multiple = np.where(
        manufacturing, rng.lognormal(np.log(3.6), 0.25, n), rng.lognormal(np.log(2.3), 0.25, n)
    ).clip(1.3, 9.0)
    export_share = np.where(manufacturing, rng.beta(1.2, 5.0, n), rng.beta(0.5, 12.0, n))
    margin = rng.normal(0.07, 0.06, n)
    rd_share = rng.beta(2.0, 35.0, n)
    productivity = rng.lognormal(np.log(5.5e5), 0.35, n)
    shares = rng.dirichlet([42, 12, 14, 32], size=n)  # wages, depreciation, taxes, surplus

    monthly_values: dict[str, list] = {k: [] for k in (
        "operating_revenue", "industrial_output", "exports", "net_profit", "taxes_paid",
        "rd_expenditure", "employees")}  # fmt: skip
    quarterly_values: dict[str, list] = {k: [] for k in (
        "wages", "depreciation", "production_taxes", "operating_surplus")}  # fmt: skip
    for year in YEARS:
        revenue_year = va[year] * multiple
        for m in range(12):
            ytd = revenue_year * cum[:, m]
            monthly_values["operating_revenue"].append(ytd)
            monthly_values["industrial_output"].append(np.where(manufacturing, ytd * 0.97, np.nan))
            monthly_values["exports"].append(ytd * export_share)
            monthly_values["net_profit"].append(ytd * margin)
            monthly_values["taxes_paid"].append(ytd * 0.045)
            monthly_values["rd_expenditure"].append(ytd * rd_share)
            monthly_values["employees"].append(np.maximum(1.0, np.round(va[year] / productivity)))
        for q in range(4):
            ytd = va[year] * cum[:, 3 * q + 2]
            for i, name in enumerate(quarterly_values):
                quarterly_values[name].append(ytd * shares[:, i])
    monthly = Reports(
        MONTHS, {k: np.stack(v, axis=1) for k, v in monthly_values.items()}, _owed(ents, MONTHS)
    )
    quarterly = Reports(
        QUARTERS,
        {k: np.stack(v, axis=1) for k, v in quarterly_values.items()},
        _owed(ents, QUARTERS),
    )
    annual = _annual(rng, ents, monthly, quarterly, manufacturing)
    for r in (monthly, quarterly):
        for v in r.values.values():
            v[~r.owed] = np.nan
    return monthly, quarterly, annual


def _annual(
    rng, ents: Enterprises, monthly: Reports, quarterly: Reports, manufacturing: np.ndarray
) -> Reports:
    """The annual report: December's and Q4's year-to-date values plus the evaluation set."""
    years = [Period.for_year(y) for y in YEARS]
    dec = [MONTHS.index(Period.for_month(y, 12)) for y in YEARS]
    q4 = [QUARTERS.index(Period.for_quarter(y, 4)) for y in YEARS]
    values = {k: v[:, dec].copy() for k, v in monthly.values.items()}
    values.update({k: v[:, q4].copy() for k, v in quarterly.values.items()})
    n = len(ents)
    revenue, employees = values["operating_revenue"], values["employees"]
    va = sum(values[k] for k in quarterly.values)
    tech = np.where(
        np.isin(ents.division, ["63", "64", "65", "72", "73", "74", "75"]),
        rng.beta(4, 4, n),
        rng.beta(1, 12, n),
    )[:, None]
    high_tech = np.where(ents.certified, rng.beta(6, 3, n), rng.beta(1, 6, n))[:, None]
    rd_people = rng.beta(3, 18, n)[:, None]
    patents = rng.poisson(np.maximum(values["rd_expenditure"] / 2.5e6, 0.0))
    values.update({
        "profit_total": values["net_profit"] * 1.18,
        "total_assets": revenue * rng.lognormal(np.log(1.4), 0.3, n)[:, None],
        "technology_income": revenue * tech,
        "high_tech_product_revenue": revenue * high_tech * np.where(manufacturing, 1, 0.3)[
            :, None],
        "new_product_revenue": revenue * rng.beta(2, 6, n)[:, None],
        "technical_service_exports": values["exports"] * tech * 0.3,
        "fixed_asset_investment": revenue * rng.beta(2, 20, n)[:, None],
        "energy_consumption": va / 1e4 * np.where(manufacturing, rng.lognormal(np.log(0.25),
                                                                               0.5, n),
                                                  rng.lognormal(np.log(0.04), 0.5, n))[:, None],
        "rd_personnel": np.round(employees * rd_people),
        "employees_with_bachelor_or_above": np.round(employees * rng.beta(5, 6, n)[:, None]),
        "returned_overseas_employees": np.round(employees * rng.beta(1, 80, n)[:, None]),
        "foreign_resident_employees": np.round(employees * rng.beta(1, 400, n)[:, None]),
        "patent_applications": patents.astype(float),
        "invention_patents_granted": np.round(patents * 0.3),
        "valid_invention_patents": np.round(patents * 1.8),
        "pct_applications": np.round(patents * 0.05),
    })  # fmt: skip
    owed = _owed(ents, years)
    for v in values.values():
        v[~owed] = np.nan
    return Reports(years, values, owed)


def generate(zones: list[dict], scale: str = "small", seed: int = 2023) -> DemoData:
    """The demo's enterprises and reports for ``zones`` (dicts with code, start, province_code)."""
    rng = np.random.default_rng(seed)
    n = SCALES[scale]
    ents = enterprises(rng, zones, n)
    monthly, quarterly, annual = reports(rng, ents)
    return DemoData(seed, ents, monthly, quarterly, annual, zones)
