"""The project's own Neo4j Community server: configure, start, wait for Bolt, stop.

Everything lives under ``settings.neo4j_home`` (git-ignored): configuration, data, logs,
the pid file and a generated password. All of it is readable only by its owner: the store
and transaction logs hold people's data, and Neo4j has no setting for the modes of the
files it creates, so it runs with a private umask; a start makes the state directory
private again where an older install left it open.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable

from neo4j_server.distribution import ensure_distribution
from neo4j_server.java import find_java
from settings import Settings
from settings.private_files import PRIVATE_UMASK, private_dir, private_open, private_write, tighten_tree

log = logging.getLogger(__name__)

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_ENTRY_POINT = "org.neo4j.server.startup.Neo4jAdminCommand"
JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
)


class Neo4jStartError(RuntimeError):
    pass


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    bolt_uri: str
    home: Path

    def describe(self) -> str:
        state = f"running (pid {self.pid})" if self.running else "stopped"
        return f"Neo4j {state} at {self.bolt_uri}, home {self.home}"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie left by a parent that has not reaped it counts as dead.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (OSError, IndexError):
        return True


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def free_port() -> int:
    """A loopback port nobody listens on now (for test and benchmark servers)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_password() -> str:
    """A server password for neo4j-admin's command line: hex digits only (a URL-safe token
    begins with "-" one time in 64, and neo4j-admin then reads it as an option)."""
    return secrets.token_hex(24)


class LocalNeo4j:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.home = settings.neo4j_home
        self.conf_dir = self.home / "conf"
        self.pid_file = self.home / "run" / "reliefgraph.pid"  # Neo4j writes its own neo4j.pid beside it
        self.password_file = self.home / "password"
        # The port of the last start, read back by every later command: one started on another
        # port (7687 taken) is found again without RELIEFGRAPH_BOLT_PORT.
        self.port_file = self.home / "bolt-port"
        self.console_log = self.home / "logs" / "console.log"

    @property
    def bolt_port(self) -> int:
        """The port asked for (RELIEFGRAPH_BOLT_PORT), else the running server's, else the last
        start's, else the default."""
        if "bolt_port" in self.settings.model_fields_set:
            return self.settings.bolt_port
        _, running = self._pid_and_port()
        if running is not None:
            return running
        try:
            return int(self.port_file.read_text().strip())
        except (OSError, ValueError):
            return self.settings.bolt_port

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    # --- state
    def _pid_and_port(self) -> tuple[int | None, int | None]:
        """The running server's pid and Bolt port, from the pid file ("PID PORT")."""
        try:
            fields = self.pid_file.read_text().split()
            pid = int(fields[0])
            port = int(fields[1]) if len(fields) > 1 else None
        except (OSError, ValueError, IndexError):
            return None, None
        return (pid, port) if pid_alive(pid) else (None, None)

    def _pid(self) -> int | None:
        return self._pid_and_port()[0]

    def status(self) -> ServerStatus:
        """Where the server runs: its own port when it runs, whatever was asked for."""
        pid, port = self._pid_and_port()
        uri = f"bolt://127.0.0.1:{port}" if port is not None else self.bolt_uri
        return ServerStatus(running=pid is not None, pid=pid, bolt_uri=uri, home=self.home)

    def password(self) -> str:
        try:
            return self.password_file.read_text().strip()
        except FileNotFoundError:
            raise Neo4jStartError(
                f"no local Neo4j has been set up under {self.home}; run `reliefgraph neo4j start`"
            ) from None

    # --- set-up
    def prepare_home(self) -> None:
        for sub in ("conf", "data", "logs", "run", "plugins", "import"):
            private_dir(self.home / sub)
        s = self.settings
        port = self.bolt_port
        private_write(
            self.conf_dir / "neo4j.conf",
            "\n".join(
                [
                    "# Written by reliefgraph on every start; edit Settings, not this file.",
                    "server.default_listen_address=127.0.0.1",
                    f"server.bolt.listen_address=127.0.0.1:{port}",
                    "server.bolt.tls_level=DISABLED",
                    "server.http.enabled=false",
                    "server.https.enabled=false",
                    f"server.memory.heap.initial_size={s.heap_size}",
                    f"server.memory.heap.max_size={s.heap_size}",
                    f"server.memory.pagecache.size={s.pagecache_size}",
                    "dbms.security.auth_enabled=true",
                    "db.transaction.timeout=0",
                    "dbms.usage_report.enabled=false",
                    f"server.directories.import={self.home / 'import'}",
                    "",
                ]
            ),
        )

    def _env(self) -> dict[str, str]:
        return {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.conf_dir)}

    def _ensure_password(self, java: Path, lib: Path) -> None:
        if self.password_file.exists():
            return
        password = new_password()
        result = subprocess.run(
            [str(java), "-cp", f"{lib}/*", ADMIN_ENTRY_POINT, "dbms", "set-initial-password", password],
            env=self._env(),
            capture_output=True,
            text=True,
            umask=PRIVATE_UMASK,
        )
        if result.returncode != 0:
            raise Neo4jStartError(
                f"setting the initial Neo4j password failed: {result.stderr.strip()[-2000:]}"
            )
        private_write(self.password_file, password + "\n")

    def admin_command(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``neo4j-admin`` against this home (the server must be stopped for some commands);
        what it writes (a loaded store, a dump) is private."""
        lib = ensure_distribution(self.settings.neo4j_version, self.settings.cache_dir)
        java = find_java().executable
        return subprocess.run(
            [str(java), "-cp", f"{lib}/*", ADMIN_ENTRY_POINT, *args],
            env=self._env(),
            capture_output=True,
            text=True,
            umask=PRIVATE_UMASK,
        )

    def make_state_private(self) -> list[Path]:
        """Files and folders of the state directory that the group or others could read,
        made private; an older install, upgraded in place, created them 644/755. Names the
        path it may not change."""
        try:
            changed = tighten_tree(self.settings.state_dir)
        except OSError as exc:
            raise Neo4jStartError(
                f"cannot make {exc.filename or self.settings.state_dir} private "
                f"(readable by other users): {exc.strerror or exc}"
            ) from None
        return changed

    def describe_made_private(self, changed: list[Path]) -> str:
        return (
            f"{len(changed)} files and folders in {self.settings.state_dir} were readable by other "
            f"users; made private (0600/0700), first {changed[0]}"
        )

    # --- lifecycle
    def start(self) -> ServerStatus:
        """Start the server and wait until Bolt answers; a no-op when it is already running.
        Either way the state directory is made private first."""
        changed = self.make_state_private()
        if changed:
            log.warning(self.describe_made_private(changed))
        current = self.status()
        if current.running:
            _, port = self._pid_and_port()
            if port is not None and port != self.bolt_port:
                raise Neo4jStartError(
                    f"Neo4j from {self.home} is already running on port {port} (pid {current.pid}), not on "
                    f"{self.bolt_port}; stop it first (reliefgraph neo4j stop) or use that port"
                )
            self._wait_for_bolt(current.pid)
            return current
        port = self.bolt_port
        if _port_taken(port):
            raise Neo4jStartError(
                f"port {port} on 127.0.0.1 is taken by another process; stop it, or start on a free "
                f"port once with RELIEFGRAPH_BOLT_PORT={free_port()} reliefgraph neo4j start "
                "(later commands find it again)"
            )
        java = find_java()
        lib = ensure_distribution(self.settings.neo4j_version, self.settings.cache_dir)
        self.prepare_home()
        self._ensure_password(java.executable, lib)
        cmd = [
            str(java.executable),
            f"-Xms{self.settings.heap_size}",
            f"-Xmx{self.settings.heap_size}",
            *JVM_OPTIONS,
            "-cp",
            f"{lib}/*",
            ENTRY_POINT,
            f"--home-dir={self.home}",
            f"--config-dir={self.conf_dir}",
        ]
        with private_open(self.console_log, "ab") as console:
            # Its own session: the server outlives the CLI call that started it. Its umask makes
            # the store, transaction logs and logs it creates private, whoever calls this.
            proc = subprocess.Popen(
                cmd,
                stdout=console,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self._env(),
                cwd=self.home,
                start_new_session=True,
                umask=PRIVATE_UMASK,
            )
        private_write(self.pid_file, f"{proc.pid} {port}")
        private_write(self.port_file, f"{port}\n")
        try:
            self._wait_for_bolt(proc.pid, proc)
        except Neo4jStartError:
            self.stop()
            raise
        return self.status()

    def _wait_for_bolt(self, pid: int | None, proc: subprocess.Popen[bytes] | None = None) -> None:
        deadline = time.monotonic() + self.settings.start_timeout_s
        auth = (self.settings.neo4j_user, self.password())
        while True:
            if proc is not None and proc.poll() is not None:
                raise Neo4jStartError(
                    f"Neo4j exited with code {proc.returncode} while starting; "
                    f"last log lines:\n{self._log_tail()}"
                )
            try:
                with GraphDatabase.driver(self.bolt_uri, auth=auth, connection_timeout=2) as driver:
                    driver.verify_connectivity()
                return
            except AuthError as exc:
                raise Neo4jStartError(
                    f"Neo4j at {self.bolt_uri} rejected the password in {self.password_file}: {exc.message}"
                ) from exc
            except (ServiceUnavailable, OSError):
                pass
            if time.monotonic() > deadline:
                raise Neo4jStartError(
                    f"Neo4j (pid {pid}) did not answer on {self.bolt_uri} within "
                    f"{self.settings.start_timeout_s:.0f}s; last log lines:\n{self._log_tail()}"
                )
            time.sleep(0.5)  # polling a socket that is not up yet; not test synchronisation

    def _log_tail(self, lines: int = 20) -> str:
        texts = []
        for log in (self.console_log, self.home / "logs" / "neo4j.log"):
            if log.exists():
                texts.extend(log.read_text(errors="replace").splitlines()[-lines:])
        return "\n".join(texts) or "(no log written)"

    def stop(self, timeout_s: float = 60.0) -> bool:
        """Shut the server down cleanly (SIGTERM, then SIGKILL after ``timeout_s``)."""
        pid = self._pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while pid_alive(pid):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.2)
            try:  # reap it if it is our own child
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        self.pid_file.unlink(missing_ok=True)
        return True
