"""Serving an ASGI app on a loopback port with uvicorn, in a thread, for tests (and benchmarks).

The socket is bound and listening before the server thread starts, so clients can connect
at once (their connections wait in the backlog); no polling, no sleeps.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

import uvicorn


class Served:
    def __init__(self, app: Any, lifespan: str = "on", **config: Any) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(128)
        self.base_url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan=lifespan, **config))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._socket.close()
