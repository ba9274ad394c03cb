"""The API profile's split: each sample goes to the innermost layer on its stack."""

from __future__ import annotations

from pathlib import Path

from bench.api.profile import OTHER, layer_of, split

# As py-spy prints frames: paths relative to where they were imported from.
STRAWBERRY = "Schema.execute (strawberry/schema/schema.py:700)"
DRIVER = "unpack (neo4j/_codec/packstream/v1/__init__.py:282)"
RESOLVER = "person (resolvers/people.py:80)"
JSON = "JSONEncoder.encode (/usr/lib/python3.11/json/encoder.py:200)"


def test_a_sample_counts_for_the_innermost_layer_it_passed_through() -> None:
    assert layer_of(";".join([STRAWBERRY, RESOLVER, DRIVER])) == "neo4j driver and result conversion"
    assert layer_of(";".join([STRAWBERRY, RESOLVER])) == "our resolvers and types"
    assert layer_of(";".join([RESOLVER, STRAWBERRY])) == "strawberry and graphql-core execution"
    assert layer_of("main (<frozen runpy>:1)") == OTHER
    # A socket write the driver makes is the driver's; the loop alone is the loop's.
    write = "StreamWriter.write (asyncio/streams.py:343)"
    assert (
        layer_of(";".join([RESOLVER, DRIVER.replace("unpack", "flush"), write]))
        == "neo4j driver and result conversion"
    )
    assert (
        layer_of(";".join(["Server.run (uvicorn/server.py:86)", "Runner.run (asyncio/runners.py:118)"]))
        == "ASGI server, starlette and our HTTP middleware"
    )
    assert layer_of("Runner.run (asyncio/runners.py:118)") == "event loop (asyncio, uvloop)"


def test_the_split_weighs_samples_by_their_counts(tmp_path: Path) -> None:
    collapsed = tmp_path / "profile.txt"
    collapsed.write_text(
        f"{STRAWBERRY};{DRIVER} 30\n{STRAWBERRY};{JSON} 10\n{STRAWBERRY} 60\n", encoding="utf-8"
    )
    shares = split(collapsed)
    assert shares["neo4j driver and result conversion"] == 0.3
    assert shares["JSON encoding"] == 0.1
    assert shares["strawberry and graphql-core execution"] == 0.6
    assert abs(sum(shares.values()) - 1.0) < 1e-9
    collapsed.write_text("", encoding="utf-8")
    assert split(collapsed) == {}
