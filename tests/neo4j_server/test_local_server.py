"""The project's own Neo4j: idempotent start, clear errors when it cannot start."""

import socket
from pathlib import Path

import pytest
from pydantic import SecretStr

from neo4j_server.java import JavaNotFound, find_java
from neo4j_server.local_server import LocalNeo4j, Neo4jStartError, new_password
from settings import Settings


def test_second_start_is_a_no_op(settings: Settings, driver) -> None:  # type: ignore[no-untyped-def]
    if not settings.uses_local_server:
        pytest.skip("tests run against an external server")
    server = LocalNeo4j(settings)
    before = server.status()
    assert before.running
    assert server.start().pid == before.pid


def test_password_file_is_private(settings: Settings, driver) -> None:  # type: ignore[no-untyped-def]
    if not settings.uses_local_server:
        pytest.skip("tests run against an external server")
    mode = LocalNeo4j(settings).password_file.stat().st_mode & 0o777
    assert mode == 0o600


def test_the_server_creates_its_files_private(settings: Settings, driver) -> None:  # type: ignore[no-untyped-def]
    # Neo4j has no setting for its files' modes: its umask decides, whoever started it.
    if not settings.uses_local_server:
        pytest.skip("tests run against an external server")
    status = Path(f"/proc/{LocalNeo4j(settings).status().pid}/status").read_text().splitlines()
    assert [line.split()[1] for line in status if line.startswith("Umask:")] == ["0077"]


def test_bolt_and_config_bind_loopback_only(settings: Settings, driver) -> None:  # type: ignore[no-untyped-def]
    if not settings.uses_local_server:
        pytest.skip("tests run against an external server")
    conf = (LocalNeo4j(settings).conf_dir / "neo4j.conf").read_text()
    assert "server.default_listen_address=127.0.0.1" in conf
    assert f"server.bolt.listen_address=127.0.0.1:{settings.bolt_port}" in conf
    assert "server.http.enabled=false" in conf


def test_port_taken_is_reported(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        server = LocalNeo4j(Settings(state_dir=tmp_path, bolt_port=port))
        with pytest.raises(Neo4jStartError, match=f"port {port} on 127.0.0.1 is taken"):
            server.start()


def test_missing_java_is_reported(tmp_path: Path) -> None:
    with pytest.raises(JavaNotFound, match="Neo4j needs Java 17 or 21"):
        find_java([tmp_path / "no-such-jdk" / "bin" / "java"])


def test_stop_when_not_running_says_so(tmp_path: Path) -> None:
    assert LocalNeo4j(Settings(state_dir=tmp_path)).stop() is False


def test_unstarted_server_has_no_password(tmp_path: Path) -> None:
    with pytest.raises(Neo4jStartError, match="reliefgraph neo4j start"):
        LocalNeo4j(Settings(state_dir=tmp_path)).password()


def test_neo4j_uri_must_be_bolt_or_neo4j() -> None:
    with pytest.raises(ValueError, match="NEO4J_URI must start with"):
        Settings(neo4j_uri="http://localhost:7474")
    assert Settings(neo4j_uri="neo4j+s://example.databases.neo4j.io").uses_local_server is False


def test_start_refuses_when_the_home_runs_on_another_port(settings: Settings, driver) -> None:  # type: ignore[no-untyped-def]
    if not settings.uses_local_server:
        pytest.skip("tests run against an external server")
    elsewhere = settings.model_copy(update={"bolt_port": settings.bolt_port + 1})
    with pytest.raises(Neo4jStartError, match=f"already running on port {settings.bolt_port}"):
        LocalNeo4j(elsewhere).start()


def test_the_neo4j_routing_scheme_reaches_the_server(settings: Settings) -> None:
    """A cluster or Aura is addressed as neo4j:// (the driver routes reads and writes); the
    same scheme against the single local server must work, reads through execute_read."""
    from graph.driver import open_driver

    if settings.neo4j_uri:
        uri, password = settings.neo4j_uri, settings.neo4j_password or SecretStr("")
    else:
        uri, password = LocalNeo4j(settings).bolt_uri, SecretStr(LocalNeo4j(settings).password())
    routed = settings.model_copy(
        update={"neo4j_uri": uri.replace("bolt://", "neo4j://", 1), "neo4j_password": password}
    )
    with open_driver(routed) as driver, driver.session(database=routed.neo4j_database) as session:
        assert session.execute_read(lambda tx: tx.run("RETURN 1 AS one").single()["one"]) == 1
        assert session.execute_write(lambda tx: tx.run("RETURN 2 AS two").single()["two"]) == 2


def test_a_new_password_is_never_read_as_an_option() -> None:
    # neo4j-admin takes the password on its command line: one beginning with "-" was read as
    # an option ("Missing required parameter: '<password>'"), failing one first start in 64.
    passwords = {new_password() for _ in range(2000)}
    assert len(passwords) == 2000
    assert not any(p.startswith("-") for p in passwords)
