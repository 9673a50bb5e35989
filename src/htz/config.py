"""Settings: declared once, read once, each with its default, its help and its origin.

Precedence, highest first: environment (``HTZ_*``), ``htz.toml`` (in the working
directory, or the file named by ``HTZ_CONFIG``), the default. Nothing outside
this module reads ``os.environ``; ``cli`` and ``web`` call :func:`load` once and
pass the resulting :class:`Settings` down.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from htz.errors import ConfigError

LANGUAGES = ("zh", "en", "vi")


@dataclass(frozen=True)
class Setting:
    name: str  # key in htz.toml; the environment variable is HTZ_<NAME>
    default: str | None
    help: str

    @property
    def env(self) -> str:
        return f"HTZ_{self.name.upper()}"


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "./htz-data", "Directory for the SQLite database, snapshots and exports."),
    Setting(
        "database_url",
        None,
        "SQLAlchemy URL of the system of record. Default: SQLite file htz.db in the data "
        "directory (WAL mode, foreign keys on). Example: postgresql+psycopg://user@host/htz",
    ),
    Setting("lang", "en", "Language of names and messages: zh, en or vi."),
    Setting(
        "user",
        None,
        "Name recorded in the audit log for changes made from this shell. Default: the login name.",
    ),
    Setting(
        "approval_levels",
        "zone,national",
        "Review chain after an enterprise submits, comma-separated, ending with national "
        "(which accepts). Add province (and city) to follow the full chain, e.g. "
        "zone,province,national.",
    ),
    Setting(
        "secret_key",
        None,
        "Key that signs the web site's CSRF tokens. Default: 32 random bytes kept in "
        "secret.key in the data directory (created on first start, shared by all workers).",
    ),
    Setting("workers", "1", "Web server worker processes (htz serve); 1 with SQLite."),
)
APPROVAL_LEVELS = ("zone", "city", "province", "national")

CONFIG_FILE_ENV = "HTZ_CONFIG"
DEFAULT_CONFIG_FILE = "htz.toml"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    lang: str
    user: str = "htz"
    approval_levels: tuple[str, ...] = ("zone", "national")
    secret_key: str | None = None
    workers: int = 1
    origins: Mapping[str, str] = field(default_factory=dict)

    def rows(self) -> list[dict[str, str]]:
        """The effective settings, each with where it came from (for ``htz config``)."""
        return [
            {
                "setting": s.name,
                "env": s.env,
                "value": "(set)"
                if s.name == "secret_key" and self.secret_key
                else _show(getattr(self, s.name)),
                "origin": self.origins.get(s.name, "default"),
                "help": s.help,
            }
            for s in SETTINGS
        ]


def _show(value: object) -> str:
    return ",".join(value) if isinstance(value, tuple) else str(value)


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file or remove it.") from exc
    section = data.get("htz", data)
    known = {s.name for s in SETTINGS}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting {unknown[0]!r}; known settings are "
            f"{', '.join(sorted(known))}."
        )
    return section


def load(
    environ: Mapping[str, str] | None = None, cwd: Path | None = None, **overrides: str
) -> Settings:
    """Read settings from overrides, the environment, htz.toml and defaults."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    toml_path = Path(environ.get(CONFIG_FILE_ENV, cwd / DEFAULT_CONFIG_FILE))
    if CONFIG_FILE_ENV in environ and not toml_path.is_file():
        raise ConfigError(
            f"{CONFIG_FILE_ENV}={toml_path}: no such file; create it or unset {CONFIG_FILE_ENV}."
        )
    from_file = _read_toml(toml_path) if toml_path.is_file() else {}

    values: dict[str, str | None] = {}
    origins: dict[str, str] = {}
    for s in SETTINGS:
        if overrides.get(s.name) is not None:
            values[s.name], origins[s.name] = str(overrides[s.name]), "argument"
        elif environ.get(s.env):
            values[s.name], origins[s.name] = environ[s.env], f"environment ({s.env})"
        elif s.name in from_file:
            values[s.name], origins[s.name] = str(from_file[s.name]), f"file ({toml_path})"
        else:
            values[s.name], origins[s.name] = s.default, "default"

    lang = (values["lang"] or "en").lower()
    if lang not in LANGUAGES:
        raise ConfigError(
            f"lang={values['lang']!r} ({origins['lang']}) is not supported; "
            f"use one of {', '.join(LANGUAGES)}."
        )
    data_dir = Path(values["data_dir"] or "./htz-data").expanduser()
    if not data_dir.is_absolute():
        data_dir = cwd / data_dir
    database_url = values["database_url"]
    if not database_url:
        database_url = f"sqlite:///{data_dir / 'htz.db'}"
        origins["database_url"] = "default (SQLite in data_dir)"
    user = values["user"] or _login_name()
    if not values["user"]:
        origins["user"] = "default (login name)"
    levels = _approval_levels(values["approval_levels"] or "", origins["approval_levels"])
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        lang=lang,
        user=user,
        approval_levels=levels,
        secret_key=values["secret_key"] or None,
        workers=_workers(values["workers"] or "1", origins["workers"]),
        origins=origins,
    )


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "htz"


def _approval_levels(text: str, origin: str) -> tuple[str, ...]:
    levels = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    ordered = tuple(level for level in APPROVAL_LEVELS if level in levels)
    if (
        not levels
        or levels != ordered
        or levels[-1] != "national"
        or len(set(levels)) != len(levels)
    ):
        raise ConfigError(
            f"approval_levels={text!r} ({origin}): list levels from "
            f"{', '.join(APPROVAL_LEVELS)} in that order, ending with national, "
            "e.g. zone,national or zone,province,national."
        )
    return levels


def _workers(text: str, origin: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= 64:
        raise ConfigError(f"workers={text!r} ({origin}): give a whole number from 1 to 64.")
    return n
