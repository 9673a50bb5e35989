"""observations: a WITHOUT ROWID table on SQLite (one B-tree, keyed by its primary key)

A rowid table keeps each observation twice: the row under a hidden rowid and its primary
key (report_id, indicator) in a separate index. WITHOUT ROWID stores the row in the
primary key's B-tree: 30% less space and one B-tree to update per inserted observation
(see benchmarks/RESULTS.md, "Storing"). PostgreSQL has no rowid: nothing changes there.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 22:00:00
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TABLE = """CREATE TABLE {name} (
	report_id INTEGER NOT NULL,
	indicator VARCHAR(48) NOT NULL,
	value FLOAT,
	flag VARCHAR(16) NOT NULL,
	CONSTRAINT pk_observations PRIMARY KEY (report_id, indicator),
	CONSTRAINT fk_observations_report_id_reports FOREIGN KEY(report_id)
		REFERENCES reports (id) ON DELETE CASCADE,
	CONSTRAINT ck_observations_flag CHECK (flag IN ('reported', 'imputed', 'corrected'))
){rowid}"""


def _rebuild(rowid: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(_TABLE.format(name="observations_rebuilt", rowid=rowid))
    op.execute(
        "INSERT INTO observations_rebuilt (report_id, indicator, value, flag) "
        "SELECT report_id, indicator, value, flag FROM observations ORDER BY report_id, indicator"
    )
    op.execute("DROP TABLE observations")
    op.execute("ALTER TABLE observations_rebuilt RENAME TO observations")


def upgrade() -> None:
    _rebuild(" WITHOUT ROWID")


def downgrade() -> None:
    _rebuild("")
