"""The shape of every table htz stores (SQLAlchemy Core).

The module that uses a table owns its meaning; this module owns its shape.
Alembic migrations under ``store/migrations`` build exactly this schema; a test
compares the two on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

reference_loads = sa.Table(
    "reference_loads",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
)

provinces = sa.Table(
    "provinces",
    metadata,
    sa.Column("code", sa.String(2), primary_key=True),
    sa.Column("name_zh", sa.String(32), nullable=False, unique=True),
    sa.Column("name_en", sa.String(64), nullable=False),
    sa.Column("name_vi", sa.String(64), nullable=False),
    sa.Column("short_zh", sa.String(16), nullable=False),
    sa.Column("region", sa.String(16), nullable=False),
    sa.CheckConstraint("region IN ('east', 'central', 'west', 'northeast')", name="region"),
)

industries = sa.Table(
    "industries",
    metadata,
    sa.Column("code", sa.String(4), primary_key=True),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("section", sa.String(1), nullable=False),
    sa.Column("name_zh", sa.String(128), nullable=False),
    sa.Column("name_en", sa.String(160), nullable=False),
    sa.Column("isic_section", sa.String(1), nullable=False),
    sa.Column("high_tech_manufacturing", sa.String(8), nullable=True),
    sa.CheckConstraint("level IN ('section', 'division')", name="level"),
)

tech_fields = sa.Table(
    "tech_fields",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name_zh", sa.String(32), nullable=False),
    sa.Column("name_en", sa.String(64), nullable=False),
    sa.Column("name_vi", sa.String(96), nullable=False),
)

zones = sa.Table(
    "zones",
    metadata,
    sa.Column("code", sa.String(48), primary_key=True),
    sa.Column("name_zh", sa.String(96), nullable=False, unique=True),
    sa.Column("name_en", sa.String(160), nullable=False),
    sa.Column("province_code", sa.ForeignKey("provinces.code"), nullable=True),
    sa.Column("city_zh", sa.String(32), nullable=True),
    sa.Column("city_en", sa.String(64), nullable=True),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("approved", sa.String(10), nullable=False),
    sa.Column("approved_precision", sa.String(8), nullable=False),
    sa.Column("approved_status", sa.String(16), nullable=False),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("lon", sa.Float, nullable=True),
    sa.Column("coord_precision", sa.String(16), nullable=True),
    sa.Column("source", sa.Text, nullable=True),
    sa.Column("notes", sa.Text, nullable=True),
    sa.CheckConstraint("level IN ('national', 'provincial')", name="level"),
)

zone_events = sa.Table(
    "zone_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("zone_code", sa.ForeignKey("zones.code"), nullable=False),
    sa.Column("event", sa.String(16), nullable=False),
    sa.Column("date", sa.String(10), nullable=True),  # as the source gives it: YYYY[-MM[-DD]]
    sa.Column("effective", sa.Date, nullable=True),  # first day of ``date``
    sa.Column("detail", sa.Text, nullable=True),
    sa.Column("source", sa.Text, nullable=True),
    sa.UniqueConstraint("zone_code", "event", "date"),
    sa.CheckConstraint(
        "event IN ('approved', 'upgraded', 'renamed', 'merged', 'revoked')", name="event"
    ),
    sa.CheckConstraint("event = 'renamed' OR effective IS NOT NULL", name="dated"),
)

enterprises = sa.Table(
    "enterprises",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uscc", sa.String(18), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("zone_code", sa.ForeignKey("zones.code"), nullable=False, index=True),
    sa.Column("industry_code", sa.ForeignKey("industries.code"), nullable=False),
    sa.Column("tech_field", sa.ForeignKey("tech_fields.code"), nullable=True),
    sa.Column("entered", sa.Date, nullable=False),
    sa.Column("left", sa.Date, nullable=True),
    sa.Column("high_tech_certified", sa.Boolean, nullable=False, default=False),
    sa.Column("high_tech_cert_expiry", sa.Date, nullable=True),
    sa.Column("little_giant", sa.Boolean, nullable=False, default=False),
    sa.Column("listed", sa.Boolean, nullable=False, default=False),
    sa.CheckConstraint('"left" IS NULL OR "left" >= entered', name="left_after_entered"),
)

platforms = sa.Table(
    "platforms",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("type", sa.String(48), nullable=False),
    sa.Column("name_zh", sa.String(160), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=True),
    sa.Column("field", sa.String(160), nullable=True),
    sa.Column("host", sa.String(200), nullable=True),
    sa.Column("city_zh", sa.String(32), nullable=True),
    sa.Column("province_code", sa.ForeignKey("provinces.code"), nullable=True),
    sa.Column("zone_code", sa.ForeignKey("zones.code"), nullable=True, index=True),
    sa.Column("zone_status", sa.String(16), nullable=False),
    sa.Column("approved", sa.String(10), nullable=True),
    sa.Column("source", sa.Text, nullable=True),
    sa.Column("notes", sa.Text, nullable=True),
    sa.UniqueConstraint("type", "name_zh"),
    sa.CheckConstraint(
        "type IN ('national_key_laboratory', 'national_manufacturing_innovation_centre', "
        "'national_engineering_research_centre', 'incubator', 'industrialisation_base')",
        name="type",
    ),
    sa.CheckConstraint("zone_status IN ('confirmed', 'likely', 'unknown', 'none')", name="zone"),
)

# --- statistical reporting -------------------------------------------------------------

REPORT_STATUSES = ("draft", "submitted", "returned", "approved", "accepted", "imputed")

reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("enterprise_id", sa.ForeignKey("enterprises.id"), nullable=False),
    sa.Column("form", sa.String(16), nullable=False),
    sa.Column("period", sa.String(8), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    # approval level reached so far when status is 'approved' (zone, city, province)
    sa.Column("level", sa.String(16), nullable=True),
    # optimistic-concurrency token: every change increments it; a writer must name the
    # version it read, and a stale version is refused
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("source", sa.String(16), nullable=False),  # import, web, api, imputation
    sa.Column("comment", sa.Text, nullable=True),  # explanation of warnings / return reason
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=False),
    sa.UniqueConstraint("enterprise_id", "form", "period"),
    sa.Index("ix_reports_form_period", "form", "period"),
    sa.CheckConstraint(
        "status IN ('draft', 'submitted', 'returned', 'approved', 'accepted', 'imputed')",
        name="status",
    ),
)

observations = sa.Table(
    "observations",
    metadata,
    sa.Column("report_id", sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("indicator", sa.String(48), primary_key=True),
    sa.Column("value", sa.Float(precision=53), nullable=True),
    sa.Column("flag", sa.String(16), nullable=False),
    sa.CheckConstraint("flag IN ('reported', 'imputed', 'corrected')", name="flag"),
    # SQLite: the rows live in the primary key's B-tree (no rowid and second index)
    sqlite_with_rowid=False,
)

report_issues = sa.Table(
    "report_issues",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "report_id", sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("rule", sa.String(64), nullable=False),
    sa.Column("severity", sa.String(8), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("values", sa.Text, nullable=True),  # JSON
)

period_states = sa.Table(
    "period_states",
    metadata,
    sa.Column("form", sa.String(16), primary_key=True),
    sa.Column("period", sa.String(8), primary_key=True),
    sa.Column("state", sa.String(8), nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("changed_by", sa.String(64), nullable=False),
    sa.CheckConstraint("state IN ('open', 'closed')", name="state"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False),  # ISO 8601 UTC, hashed as written
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("entity", sa.String(32), nullable=False),
    sa.Column("entity_key", sa.String(128), nullable=False),
    sa.Column("before", sa.Text, nullable=True),  # canonical JSON
    sa.Column("after", sa.Text, nullable=True),  # canonical JSON
    # unique: two writers that read the same last entry cannot both append after it
    sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("hash", sa.String(64), nullable=False, unique=True),
)

# --- analytics snapshots ---------------------------------------------------------------

snapshots = sa.Table(
    "snapshots",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),  # first 16 hex of the manifest's SHA-256
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("manifest", sa.Text, nullable=False),  # path of manifest.json under data_dir
    sa.Column("partitions", sa.Integer, nullable=False),
    sa.Column("rewritten", sa.Integer, nullable=False),  # partitions written by this build
    sa.Column("audit_head", sa.String(64), nullable=False),  # audit log head at build time
)

# Facts about this database as a whole, e.g. ("synthetic", "demo …") when `htz demo` made
# it, so every output built from it can say its data are synthetic.
meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# --- accounts and publication ----------------------------------------------------------

ROLES = ("enterprise", "zone", "province", "national")

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(128), nullable=True),
    sa.Column("password_hash", sa.Text, nullable=False),  # argon2id, PHC string
    sa.Column("role", sa.String(16), nullable=False),
    # what the role may see: the enterprise's USCC, the zone code, the province code;
    # national users have none (everything)
    sa.Column("scope", sa.String(48), nullable=True),
    sa.Column("lang", sa.String(2), nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('enterprise', 'zone', 'province', 'national')", name="role"),
    sa.CheckConstraint("(role = 'national') = (scope IS NULL)", name="scope"),
)

# A signed-in browser: the cookie holds a random token; only its SHA-256 is stored, so a
# copy of the database does not give anyone a session.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)

# Every sign-in attempt, kept for throttling (shared by all server workers).
login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("address", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Index("ix_login_attempts_username_at", "username", "at"),
    sa.Index("ix_login_attempts_address_at", "address", "at"),
)

# What the public sees: the bulletin of a period computed from a snapshot, written once
# to the data directory when a national statistician publishes it.
publications = sa.Table(
    "publications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("snapshot_id", sa.ForeignKey("snapshots.id"), nullable=False),
    sa.Column("period", sa.String(8), nullable=False),
    sa.Column("path", sa.Text, nullable=False),  # JSON file under data_dir
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_by", sa.String(64), nullable=False),
    sa.UniqueConstraint("snapshot_id", "period"),
)
