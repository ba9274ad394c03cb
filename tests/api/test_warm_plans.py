"""The township figures' query is planned at start-up, in the background, so that the first
dashboard after a restart does not spend the query limit on planning."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from detection.performance import planned_ahead
from detection.rules import read_rules
from reliefgraph.app import create_app
from reliefgraph.warm_plans import plan_ahead
from settings import Settings


def test_the_figures_are_planned_at_start_up(
    api_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="reliefgraph.warm_plans"):
        with TestClient(create_app(api_settings)) as client:
            planning = client.app.state.planning  # type: ignore[attr-defined]
            planning.join(timeout=120)
            assert not planning.is_alive()
    assert "not made ahead" not in caplog.text
    # Both parameter shapes the API sends: county-wide and one township.
    assert [p["township"] for _, p in planned_ahead(read_rules(api_settings.detection_rules_file))] == [
        None,
        "000000000",
    ]


def test_a_rule_file_it_cannot_read_is_a_warning_not_a_failed_start(
    api_settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from graph.driver import open_driver

    broken = tmp_path / "detection.toml"
    broken.write_text("[identity\n", encoding="utf-8")
    settings = api_settings.model_copy(update={"detection_rules_file": broken})
    with open_driver(settings) as driver, caplog.at_level(logging.WARNING, logger="reliefgraph.warm_plans"):
        plan_ahead(driver, settings).join(timeout=60)
    assert "plans not made ahead (made on first use)" in caplog.text
