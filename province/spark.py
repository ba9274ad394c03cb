"""The Spark session the province job runs in: local mode on one machine, or whatever
`spark-submit` set up on a cluster.

Spark 4 needs Java 17 or 21, the versions the project already finds for Neo4j
(neo4j_server/java.py). Splink's similarity functions (Jaro-Winkler, Damerau-Levenshtein)
are a jar shipped inside the Splink wheel, added to the session here.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any

from neo4j_server.java import find_java


def session(
    master: str | None = None, shuffle_partitions: int | None = None, app_name: str = "reliefgraph-province"
) -> Any:
    """A SparkSession; with `master` (e.g. local[*]) a local one, else the one spark-submit made."""
    os.environ.setdefault("JAVA_HOME", str(find_java().home))
    # Python workers run this interpreter (the venv that holds the project and its name tools).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = (
            builder.master(master)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", str(shuffle_partitions or 8))
        )
    elif shuffle_partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    builder = builder.config("spark.jars", similarity_jar_location()).config(
        "spark.sql.session.timeZone", "UTC"
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    # Splink's Spark backend checkpoints its intermediate tables to break their lineage; on a
    # cluster spark-submit names a shared folder (spark.checkpoint.dir), locally a private one.
    if spark.sparkContext.getCheckpointDir() is None:
        folder = spark.conf.get("spark.checkpoint.dir", None) or tempfile.mkdtemp(prefix="reliefgraph-spark-")
        spark.sparkContext.setCheckpointDir(folder)
    return spark
