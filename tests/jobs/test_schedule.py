"""The shipped systemd timers start jobs that exist, and every job has a timer."""

from __future__ import annotations

import configparser

from jobs.catalogue import JOBS
from settings import PROJECT_ROOT

UNITS = PROJECT_ROOT / "deploy" / "systemd"


def test_every_job_has_a_timer_and_every_timer_a_job() -> None:
    scheduled = {}
    for timer in UNITS.glob("*.timer"):
        unit = configparser.ConfigParser(interpolation=None)
        unit.read(timer)
        target = unit["Timer"]["Unit"]
        assert target.startswith("reliefgraph-job@") and target.endswith(".service"), timer.name
        scheduled[target.removeprefix("reliefgraph-job@").removesuffix(".service")] = unit["Timer"][
            "OnCalendar"
        ]
    assert set(scheduled) == set(JOBS)
    service = configparser.ConfigParser(interpolation=None)
    service.read(UNITS / "reliefgraph-job@.service")
    assert service["Service"]["ExecStart"].endswith("reliefgraph jobs run %i")
