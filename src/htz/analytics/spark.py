"""PySpark through Ibis: a local session that starts quietly and never reaches the network.

Used with ``--engine spark`` (install ``htz[spark]``; Spark needs Java 17). The metric
expressions are the same as on DuckDB; only reading files and collecting results differ.
"""

from __future__ import annotations

import os
import sys
import tempfile
from functools import cache
from pathlib import Path

import ibis
import pyarrow as pa

from htz.errors import ConfigError

LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


@cache
def session():
    """One local Spark session per process (starting one takes seconds)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigError(
            "--engine spark needs PySpark: pip install 'htz[spark]' (and Java 17)."
        ) from exc
    tmp = Path(tempfile.mkdtemp(prefix="htz-spark-"))
    (tmp / "log4j2.properties").write_text(LOG4J)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.pop("PYSPARK_SUBMIT_ARGS", None)
    os.environ["PYSPARK_PYTHON"] = sys.executable
    java = f"-Dlog4j2.configurationFile=file:{tmp / 'log4j2.properties'} -Djava.io.tmpdir={tmp}"
    settings = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "4",
        "spark.default.parallelism": "2",
        "spark.driver.memory": "2g",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.extraJavaOptions": java,
        "spark.local.dir": str(tmp / "local"),
        "spark.sql.warehouse.dir": str(tmp / "warehouse"),
        "spark.sql.catalogImplementation": "in-memory",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.adaptive.enabled": "false",
        "spark.jars.ivy": str(tmp / "ivy"),
    }
    builder = SparkSession.builder.master("local[2]").appName("htz")
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def connect_spark():
    return ibis.pyspark.connect(session())


def read_parquet(con, files: list[str], name: str) -> ibis.Table:
    """Exactly these files (a snapshot's), as a view: no directory scan, no partition guess."""
    con._session.read.parquet(*files).createOrReplaceTempView(name)
    return con.table(name)


def to_arrow(con, expr: ibis.Table) -> pa.Table:
    """Collect through Spark's own Arrow path (ibis's goes through pandas)."""
    out = con.raw_sql(con.compile(expr)).toArrow()
    return out.cast(expr.schema().to_pyarrow())
