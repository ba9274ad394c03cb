"""Plans made at start-up, in the background: the township figures read a year of every table
in one query, and its first plan on a cold server takes seconds, longer than the API's query
limit on a busy machine. EXPLAIN plans without running it and fills the server's plan cache,
so the first dashboard after a restart is answered in time. A failure is logged, never raised:
the query is then planned on first use, as before."""

from __future__ import annotations

import logging
import threading

from neo4j import Driver

from detection.performance import planned_ahead
from detection.rules import DetectionRulesError, read_rules
from settings import Settings

log = logging.getLogger(__name__)


def plan_ahead(driver: Driver, settings: Settings) -> threading.Thread:
    """Starts planning in a daemon thread and returns it: the app serves meanwhile, and an app
    shut down first closes the driver under it (the thread then ends quietly)."""

    def work() -> None:
        try:
            for query, params in planned_ahead(read_rules(settings.detection_rules_file)):
                with driver.session(database=settings.neo4j_database) as session:
                    session.run("EXPLAIN " + query, params).consume()
        except (DetectionRulesError, OSError) as exc:
            log.warning("plans not made ahead (made on first use): %s", exc)
        except Exception as exc:  # noqa: BLE001 - the app shut down first, or the server is busy
            log.info("plans not made ahead (made on first use): %s", type(exc).__name__)

    thread = threading.Thread(target=work, name="plan-ahead", daemon=True)
    thread.start()
    return thread
