"""GraphiQL works on an intranet: /graphql in a real browser (Debian's chromium, driven by
Playwright) with every request that would leave the machine aborted. The page must render
GraphiQL from the app's own vendored files, run a query with the key typed into its Headers
tab, show the answer and the schema's docs, and break none of its Content Security Policy."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from reliefgraph.app import create_app
from settings import Settings
from tests.serving import Served
from tests.workbench.test_browser import browser, shot  # noqa: F401 - browser is a fixture

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
QUERY = "{ me { subject role } }"
# The first load parses about 1 MB of GraphiQL: generous on a busy 2-core machine (a wait, not a sleep).
FIRST_RENDER_MS = 60_000


@pytest.fixture
def served_dev(api_settings: Settings, keys: dict[str, str]) -> Iterator[str]:
    server = Served(create_app(api_settings.model_copy(update={"profile": "development"})))
    yield server.base_url
    server.stop()


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[tuple[Page, list[str], list[str]]]:  # noqa: F811
    """A page as on the county intranet: nothing but this machine answers. Yields the page,
    the requests it tried to send elsewhere, and what the console said about the CSP or errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    off_machine: list[str] = []
    complaints: list[str] = []

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            off_machine.append(route.request.url)
            route.abort("namenotresolved")

    context.route("**/*", only_local)
    page = context.new_page()
    page.on(
        "console",
        lambda m: (
            complaints.append(m.text)
            if "Content Security Policy" in m.text or "Refused to" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: complaints.append(f"page error: {e}"))
    yield page, off_machine, complaints
    context.close()


def replace_text(page: Page, editor: str, text: str) -> None:
    """Replace a CodeMirror editor's text the way a paste does (no auto-closed brackets)."""
    page.locator(f"{editor} .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)
    expect(page.locator(f"{editor} .CodeMirror-code")).to_contain_text(text.split("\n")[0])


def test_graphiql_runs_a_query_with_nothing_from_off_the_machine(
    served_dev: str, offline_page: tuple[Page, list[str], list[str]], keys: dict[str, str]
) -> None:
    page, off_machine, complaints = offline_page
    response = page.goto(f"{served_dev}/graphql", timeout=FIRST_RENDER_MS)
    assert response is not None and response.status == 200
    # GraphiQL rendered (strawberry's CDN page stays at "Loading…" here): the editor and its Headers tab.
    expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible(timeout=FIRST_RENDER_MS)
    headers_editor = ".graphiql-editor-tool .graphiql-editor:not(.hidden)"
    expect(page.locator(f"{headers_editor} .CodeMirror")).to_be_visible()

    replace_text(page, ".graphiql-query-editor", QUERY)
    replace_text(page, headers_editor, f'{{"Authorization": "Bearer {keys["investigator"]}"}}')
    page.locator(".graphiql-execute-button").click()

    result = page.locator(".graphiql-response .CodeMirror-code")
    expect(result).to_contain_text('"subject": "inv-1"')
    expect(result).to_contain_text('"role": "investigator"')
    # With the key in, GraphiQL fetched the schema again: its docs (and completion) work.
    page.get_by_role("button", name="Show Documentation Explorer").click()
    expect(page.locator(".graphiql-doc-explorer")).to_contain_text("Query")
    shot(page, "graphiql")
    assert off_machine == [], f"requests that left the machine: {off_machine}"
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self';" in csp and "style-src 'self';" in csp
    assert complaints == [], f"the console complained: {complaints}"
