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
