"""The `reliefgraph` command. Settings are built once here and passed down."""

from __future__ import annotations

import logging
import os

import typer

from reliefgraph.commands import (
    agreements,
    audit,
    credit,
    data,
    demo,
    detection,
    evidence,
    neo4j_server,
    operations,
    province,
    publication,
    report,
    serve,
    synthesis,
)
from settings import Settings
from settings.private_files import PRIVATE_UMASK

app = typer.Typer(
    help="Sishui County social-assistance graph: provision Neo4j, load department data, inspect.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _settings(ctx: typer.Context) -> None:
    # The driver logs every retried deadlock between concurrent load batches (retries are
    # expected and succeed) and every broken connection while it retries; the commands say
    # in one line what failed, so the driver's own log stays out of the terminal.
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    # Splink's progress and training notes are for analysts at a notebook, not for operators
    # running `reliefgraph detect`: only its errors are shown.
    logging.getLogger("splink").setLevel(logging.ERROR)
    if not isinstance(ctx.obj, Settings):  # tests pass their own
        ctx.obj = Settings()


app.add_typer(neo4j_server.app, name="neo4j")
data.register(app)
data.register_feeds(app)
detection.register(app)
credit.register(app)
synthesis.register(app)
demo.register(app)
serve.register(app)
audit.register(app)
evidence.register(app)
operations.register(app)
publication.register(app)
report.register(app)
agreements.register(app)
province.register(app)


def main() -> None:
    # Whatever a command creates (a rejects file, a dump, an export, a server's store and the
    # API workers' files) holds people's data: readable by its owner only.
    os.umask(PRIVATE_UMASK)
    app()


if __name__ == "__main__":
    main()
