"""The system of record: engine, schema, migrations."""

from htz.store.engine import open_engine, translate_errors
from htz.store.migrate import current_revision, head_revision, upgrade

__all__ = ["current_revision", "head_revision", "open_engine", "translate_errors", "upgrade"]
