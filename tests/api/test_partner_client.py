"""docs/examples/partner_client.py against a real uvicorn server: the partners' guide works
as written, trusted documents included (the production profile)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from neo4j import Driver

from access.agreements import trust_document
from reliefgraph.app import create_app
from settings import PROJECT_ROOT, Settings
from tests.loaders.mini_county import WANG, ZHAO
from tests.serving import Served


@pytest.fixture
def api_settings(api_settings: Settings) -> Settings:
    # The server plans the batch's statement once; on a 2-core machine shared with other
    # work that first planning can take longer than the production timeout.
    return api_settings.model_copy(update={"query_timeout_s": 60.0})


def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "partner_client", PROJECT_ROOT / "docs" / "examples" / "partner_client.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def served(api_settings: Settings, keys: dict[str, str], county: Driver) -> Iterator[str]:
    server = Served(create_app(api_settings.model_copy(update={"trusted_documents": True})))
    try:
        yield server.base_url + "/graphql"
    finally:
        server.stop()


def test_the_example_client_verifies_a_file_of_applicants(
    served: str,
    keys: dict[str, str],
    api_settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = example()
    applicants = tmp_path / "applicants.txt"
    applicants.write_text(f"{ZHAO}\n{WANG}\nnot an id\n", encoding="utf-8")
    argv = ["--url", served, "--key", keys["partner_jt"], "--purpose", "EDU_AID_ELIGIBILITY", str(applicants)]
    # Not registered yet: production refuses the document, in one line.
    assert client.main(argv) == 1
    assert "unknown document" in capsys.readouterr().err
    trust_document(api_settings.agreements_file, "AGR-TEST-JT", client.document_text())
    assert client.main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("given,idNumber,found")
    assert lines[1].startswith(f"{ZHAO},{ZHAO},True,,,2,False")
    assert lines[2].startswith(f"{WANG},{WANG},False")
    assert lines[3].startswith("not an id,,False,")
