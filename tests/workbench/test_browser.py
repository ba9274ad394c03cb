"""The workbench in a real browser (Debian's chromium, driven by Playwright) against the real
app and Neo4j: sign in, search, see the linkage drawn, open a finding and its evidence,
confirm it, read the dashboard; a coordinator cannot open another village's person.
Screenshots of the main views go to test-artifacts/workbench/ for a reviewer to look at."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from reliefgraph.app import create_app
from settings import PROJECT_ROOT, Settings
from tests.loaders.mini_county import WANG, ZHAO
from tests.serving import Served

CHROMIUM = "/usr/bin/chromium"
SHOTS = PROJECT_ROOT / "test-artifacts" / "workbench"
# As the machine's notes advise: no background networking on this closed network.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def served(api_settings: Settings, keys: dict[str, str], detected) -> Iterator[str]:  # type: ignore[no-untyped-def]
    server = Served(create_app(api_settings))
    yield server.base_url
    server.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    p = context.new_page()
    yield p
    context.close()


def at_least(n: int) -> re.Pattern[str]:
    """A count of at least n, as an attribute pattern (the page's CSP forbids evaluating test scripts)."""
    return re.compile(rf"^([{n}-9]|\d{{2,}})$")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, base: str, key: str) -> None:
    page.goto(f"{base}/workbench/")
    page.fill("#token", key)
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#tabs")).to_be_visible()


def test_an_investigator_finds_draws_and_confirms(
    served: str, page: Page, keys: dict[str, str], detected, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, served, keys["investigator"])
    expect(page.locator("#whoami")).to_contain_text("inv-1")
    page.fill("#query", "王建国")
    page.click("#search-form button[type=submit]")
    page.locator(f"#results li[data-id='{WANG}']").click()
    expect(page.locator("#person-name")).to_contain_text("王建国")
    expect(page.locator("#person-graph")).to_have_attribute("data-nodes", at_least(4))
    kinds = page.locator("#person-graph").get_attribute("data-kinds") or ""
    assert {"Person", "Household", "BankAccount"} <= set(kinds.split(","))
    shot(page, "person-linkage")

    page.click("#tabs button[data-view=findings]")
    page.locator("#finding-list tr[data-kind=DUP_PAYMENT]").click()
    expect(page.locator("#finding-graph")).to_have_attribute("data-nodes", at_least(5))
    expect(page.locator("#finding-explanation")).to_contain_text("2026-01")
    shot(page, "finding-evidence")
    page.click("#confirm")
    page.fill("#review-text", "一月份保障金重复发放且未退回")
    page.fill("#review-amount", "1040")
    page.click("#review-form button[type=submit]")
    expect(page.locator("#finding")).to_have_attribute("data-status", "confirmed")
    records, _, _ = detected.execute_query(
        "MATCH (f:Finding {kind: 'DUP_PAYMENT'}) RETURN f.status AS status, f.confirmed_amount_fen AS fen, "
        "f.updated_by AS by",
        database_=settings.neo4j_database,
    )
    assert [r.data() for r in records] == [{"status": "confirmed", "fen": 104000, "by": "inv-1"}]
    audited, _, _ = detected.execute_query(
        "MATCH (a:AuditEvent {subject: 'inv-1'}) RETURN collect(DISTINCT a.operation) AS ops",
        database_=settings.neo4j_database,
    )
    assert {"searchPersons", "person", "linkage", "findings"} <= set(audited[0]["ops"])

    page.click("#tabs button[data-view=dashboard]")
    expect(page.locator("#dashboard")).to_have_attribute("data-loaded", at_least(2))
    shot(page, "dashboard")
    page.click("#lang")
    expect(page.locator("header h1")).to_have_text("Investigator workbench")


def test_a_coordinator_cannot_open_another_villages_person(
    served: str, page: Page, keys: dict[str, str]
) -> None:
    sign_in(page, served, keys["coordinator"])
    page.fill("#query", ZHAO)  # lives in the other village
    page.click("#search-form button[type=submit]")
    expect(page.locator("#search-message")).to_contain_text("没有找到")
    expect(page.locator("#person")).to_be_hidden()
    page.fill("#query", WANG)  # their own village: shown, masked, and no linkage graph for the role
    page.click("#search-form button[type=submit]")
    expect(page.locator("#person-name")).to_contain_text("王建国")
    assert WANG not in page.locator("#person-name").inner_text()
    expect(page.locator("#search-message")).to_contain_text("关系图仅供核查员查看")
    shot(page, "coordinator")


def test_a_coordinator_opens_a_search_hit_and_reads_problems_in_chinese(
    served: str, page: Page, keys: dict[str, str]
) -> None:
    sign_in(page, served, keys["coordinator"])
    page.fill("#query", "王建国")
    page.click("#search-form button[type=submit]")
    hit = page.locator("#results li").first
    expect(hit).to_contain_text("王建国")
    assert WANG not in hit.inner_text()  # the hit shows a masked ID number...
    hit.click()  # ...and still opens: by its handle
    expect(page.locator("#person-name")).to_contain_text("王建国")
    assert WANG not in page.locator("#person-name").inner_text()
    page.fill("#purpose", "查")  # too short a purpose: the API refuses, and the page says so in Chinese
    page.click("#search-form button[type=submit]")
    expect(page.locator("#search-message")).to_have_text("输入有误，请检查后重试")


def test_a_wrong_key_is_refused(served: str, page: Page) -> None:
    page.goto(f"{served}/workbench/")
    page.fill("#token", "rg_not_a_key")
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#signin-error")).not_to_be_empty()
    expect(page.locator("#tabs")).to_be_hidden()


def test_a_coordinator_works_the_discovery_list_and_the_publicity_list(
    served: str, page: Page, keys: dict[str, str]
) -> None:
    sign_in(page, served, keys["coordinator_b"])
    page.click("#tabs button[data-view=discovery]")
    expect(page.locator("#discovery")).to_have_attribute("data-count", "1")
    row = page.locator("#discovery-list tbody tr").first
    expect(row).to_contain_text("赵子涵")
    expect(row).to_contain_text("健康（无权查看）")  # which health flag: not for a coordinator
    assert "severe_mental_illness" not in row.inner_text()
    shot(page, "active-discovery")
    page.click("#tabs button[data-view=publicity]")
    page.click("#publicity-form button[type=submit]")
    expect(page.locator("#publicity")).to_have_attribute("data-rows", "0")
    with page.expect_download() as download:
        page.click("#p-csv")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("outcome,name,village")


ROLES = ("investigator", "caseworker", "coordinator", "partner_mz", "credit_officer", "exporter", "auditor")
TABS = ("search", "findings", "discovery", "publicity", "dashboard", "reports", "investigations")
# What a tab shows when the role may use it: a form to fill, rows, or a sentence saying there are none.
CONTENT = {
    "search": "#search-form",
    "findings": "#finding-list tbody tr, #finding-message:not(:empty)",
    "discovery": "#discovery-list tbody tr, #discovery-message:not(:empty)",
    "publicity": "#publicity-form",
    "dashboard": "#dashboard[data-loaded], #dashboard-message:not(:empty)",
    "reports": "#report-list tbody tr, #reports-message:not(:empty)",
    "investigations": "#investigation-list tbody tr, #investigations-message:not(:empty)",
}


def test_every_tab_shows_content_or_says_in_words_why_not(
    served: str, page: Page, keys: dict[str, str]
) -> None:
    seen: dict[str, list[str]] = {}
    for role in ROLES:
        sign_in(page, served, keys[role])
        for view in TABS:
            page.click(f"#tabs button[data-view={view}]")
            denied = page.locator(f"#{view}-denied")
            shown = page.locator(f"#{view}-denied:not([hidden]), {CONTENT[view]}").first
            expect(shown).to_be_visible()
            if denied.is_visible():
                assert len(denied.inner_text().strip()) > 10, (role, view)  # a sentence, not a blank box
                # ... and nothing else of the tab is on screen.
                expect(page.locator(f"#{view} > :not(.denied):visible")).to_have_count(0)
                seen.setdefault(role, []).append(view)
            shot(page, f"tabs-{role}-{view}")
        page.click("#signout")
    # The table of operations decides: an investigator uses every tab, an auditor none.
    assert "investigator" not in seen
    assert seen["auditor"] == list(TABS) and seen["exporter"] == list(TABS)
    assert set(seen["coordinator"]) == {"findings", "dashboard", "reports", "investigations"}
    assert set(seen["caseworker"]) >= {"reports", "investigations"}  # reports may be about them


# Latin-script tokens the Chinese pages may show: codes shown as codes (with a digit: H1, C1,
# inv-1, ID numbers) and the button that switches to English.
ALLOWED_LATIN = {"English"}
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")


def stray_latin(text: str) -> set[str]:
    return {w for w in LATIN.findall(text) if w not in ALLOWED_LATIN and not any(c.isdigit() for c in w)}


def test_the_graph_follows_a_phone_to_its_other_holder_in_one_language(
    served: str, page: Page, keys: dict[str, str]
) -> None:
    sign_in(page, served, keys["investigator"])
    page.fill("#query", "王建国")
    page.click("#search-form button[type=submit]")
    page.locator(f"#results li[data-id='{WANG}']").click()
    expect(page.locator("#person-graph")).to_have_attribute("data-nodes", at_least(4))
    expect(page.locator("#legend li[data-kind=Phone]")).to_contain_text("电话")
    # The phone WANG shares with ZHAO: selecting it expands it and names who else holds it.
    page.locator("#node-neighbours li[data-kind=Phone]").click()
    expect(page.locator("#node-panel")).to_have_attribute("data-kind", "Phone")
    expect(page.locator(f"#node-holders li[data-key='{ZHAO}']")).to_contain_text("赵磊")
    expect(page.locator("#person-graph")).to_have_attribute("data-expanded", "2")
    # A case leads to the staff member who handled it.
    page.locator("#node-neighbours li[data-key='%s']" % WANG).click()
    page.locator("#node-neighbours li[data-kind=Case]").click()
    expect(page.locator("#node-neighbours li[data-kind=Staff]")).to_contain_text("陈静")
    shot(page, "phone-holders")
    assert stray_latin(page.locator("main").inner_text() + page.locator("#tabs").inner_text()) == set()

    page.click("#tabs button[data-view=findings]")
    page.locator("#finding-list tr[data-kind=DUP_PAYMENT]").click()
    expect(page.locator("#finding-meta")).to_contain_text("北京时间")
    # What the page writes: kinds, statuses, events and times, and the detectors' explanations
    # (programmes, departments and statuses by name: tests/detection/test_explanation_language.py).
    mine = "#finding-title, #finding-meta, #finding-explanation, #finding-list td"
    written = page.locator(mine).all_inner_texts()
    assert stray_latin(" ".join(written)) == set(), written
    page.click("#tabs button[data-view=dashboard]")
    expect(page.locator("#dashboard")).to_have_attribute("data-loaded", at_least(1))
    assert stray_latin(page.locator("main").inner_text()) == set()

    # Switching language re-renders what is on screen, the rows already read included.
    page.click("#lang")
    page.click("#tabs button[data-view=findings]")
    expect(page.locator("#finding-list tr[data-kind=DUP_PAYMENT] td").first).to_have_text("Paid twice")
    expect(page.locator("#finding-meta")).to_contain_text("China time")
    rows = page.locator("#finding-list tbody").inner_text()
    assert not re.search(r"[\u4e00-\u9fff]", re.sub(r"王建国|李秀英|赵磊|赵子涵|陈静", "", rows)), rows
    page.click("#tabs button[data-view=search]")
    expect(page.locator("#person-facts")).to_contain_text("Households")
    expect(page.locator("#legend li[data-kind=Phone]")).to_contain_text("phone")


# A one-pixel PNG, made here: the attachment an investigator scans in.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_a_public_report_becomes_a_case_file_and_the_finding_is_confirmed(
    served: str, browser: Browser, page: Page, keys: dict[str, str], detected, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    # The public: the form at /report, no key.
    public = browser.new_context(locale="zh-CN")
    form = public.new_page()
    form.goto(f"{served}/report")
    form.select_option("#category", "fraudulent_claim")
    form.fill("#named_text", "王建国")
    form.fill("#summary", "王建国一月份领了两次低保金，村里都知道。")
    form.click("form button[type=submit]")
    expect(form.locator(".code")).to_be_visible()
    shot(form, "casefile-1-public-report")
    public.close()

    # The investigator finds it in the Reports tab and links it to the person.
    sign_in(page, served, keys["investigator"])
    page.click("#tabs button[data-view=reports]")
    row = page.locator("#report-list tbody tr", has_text="两次低保金")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("骗取救助")
    row.click()
    expect(page.locator("#report")).to_have_attribute("data-status", "received")
    page.fill("#r-person", WANG)
    page.click("#report-link-person button[type=submit]")
    expect(page.locator("#report-named")).to_contain_text(WANG)
    shot(page, "casefile-2-report-linked")
    page.click("#pick-report")

    # ... picks the finding, opens an investigation with both.
    page.click("#tabs button[data-view=findings]")
    page.locator("#finding-list tr[data-kind=DUP_PAYMENT]").click()
    expect(page.locator("#finding")).to_have_attribute("data-status", re.compile("open|assigned"))
    page.click("#pick-finding")
    page.click("#tabs button[data-view=investigations]")
    expect(page.locator("#inv-open")).to_have_attribute("data-picked", "2")
    page.fill("#inv-title", "王建国重复领取低保金")
    page.click("#inv-open button[type=submit]")
    case = page.locator("#investigation")
    expect(case).to_have_attribute("data-status", "open")
    expect(page.locator("#inv-findings li")).to_have_count(1)
    expect(page.locator("#inv-reports li")).to_contain_text("正在核查")

    # ... a note and a scanned attachment, downloaded again.
    page.fill("#inv-note-text", "已电话联系村委会，核实一月份发放两次。")
    page.click("#inv-note button[type=submit]")
    expect(page.locator("#inv-notes li")).to_contain_text("已电话联系村委会")
    page.set_input_files("#inv-file", {"name": "scan.png", "mimeType": "image/png", "buffer": PNG})
    page.click("#inv-upload button[type=submit]")
    expect(case).to_have_attribute("data-attachments", "1")
    with page.expect_download() as got:
        page.locator("#inv-attachments a.download").click()
    assert Path(got.value.path()).read_bytes() == PNG
    shot(page, "casefile-3-investigation")
    written = page.locator(
        "#inv-heading, #inv-meta, #inv-findings, #inv-reports, #investigation-list"
    ).all_inner_texts()
    assert stray_latin(" ".join(written)) == set(), written

    # ... and confirms the finding from the case file; its evidence pack downloads.
    page.locator("#inv-findings li").click()
    expect(page.locator("#finding")).to_be_visible()
    expect(page.locator("#finding-explanation")).to_contain_text("2026-01")
    page.click("#confirm")
    page.fill("#review-text", "一月份保障金重复发放，已核实")
    page.fill("#review-amount", "1040")
    page.click("#review-form button[type=submit]")
    expect(page.locator("#finding")).to_have_attribute("data-status", "confirmed")
    expect(page.locator("#evidence-pack")).to_be_visible()
    with page.expect_download() as pack:
        page.click("#evidence-pack")
    assert Path(pack.value.path()).read_bytes().startswith(b"%PDF")
    shot(page, "casefile-4-confirmed")

    records, _, _ = detected.execute_query(
        "MATCH (i:Investigation)-[*1]-(r:Report) RETURN i.status AS status, r.status AS report",
        database_=settings.neo4j_database,
    )
    assert [r.data() for r in records] == [{"status": "open", "report": "investigating"}]


def test_the_inbox_shows_an_assigned_report_and_marks_it_read(
    served: str, page: Page, keys: dict[str, str], detected, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, served, keys["investigator"])
    page.click("#tabs button[data-view=inbox]")
    expect(page.locator("#inbox-message")).to_have_text("没有记录")
    page.click("#tabs button[data-view=reports]")
    # A report taken by phone, assigned to the investigator signed in.
    page.goto(f"{served}/report")
    page.select_option("#category", "inaction")
    page.fill("#summary", "村里低保申请三个月没有人处理。")
    page.click("form button[type=submit]")
    expect(page.locator(".code")).to_be_visible()
    # Its handling deadline passed yesterday: the list marks it overdue.
    detected.execute_query(
        "MATCH (r:Report) WHERE r.summary CONTAINS '三个月' SET r.due_date = date() - duration({days: 1})",
        database_=settings.neo4j_database,
    )
    page.goto(f"{served}/workbench/")
    expect(page.locator("#tabs")).to_be_visible()
    page.click("#tabs button[data-view=reports]")
    late = page.locator("#report-list tbody tr", has_text="三个月")
    expect(late).to_have_attribute("data-overdue", "true")
    expect(late).to_contain_text("已超期")
    shot(page, "reports-overdue")
    late.click()
    page.fill("#r-assignee", "inv-1")
    page.click("#report-assign button[type=submit]")
    expect(page.locator("#report")).to_have_attribute("data-status", "assigned")
    page.click("#tabs button[data-view=inbox]")
    expect(page.locator("#inbox")).to_have_attribute("data-unread", "1")
    expect(page.locator("#inbox-badge")).to_have_text("1")
    expect(page.locator("#inbox-list li.unread")).to_contain_text("分派给您的举报")
    shot(page, "inbox")
    page.click("#inbox-read")
    expect(page.locator("#inbox")).to_have_attribute("data-unread", "0")
    expect(page.locator("#inbox-badge")).to_be_hidden()


@pytest.fixture
def served_patiently(api_settings: Settings, keys: dict[str, str], detected) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app with a longer query limit: the performance statement's first (cold) plan takes
    longer than the default limit on the shared, loaded test machine (docs/reports.md)."""
    server = Served(create_app(api_settings.model_copy(update={"query_timeout_s": 60.0})))
    yield server.base_url
    server.stop()


def test_the_dashboard_shows_the_reports_figures_over_twelve_months(
    served_patiently: str, page: Page, keys: dict[str, str]
) -> None:
    sign_in(page, served_patiently, keys["caseworker"])
    page.click("#tabs button[data-view=dashboard]")
    page.fill("#d-month", "2026-10")
    page.click("#dash-form button[type=submit]")
    expect(page.locator("#performance")).to_have_attribute("data-months", "12", timeout=90_000)
    head = page.locator("#performance thead th")
    expect(head.nth(1)).to_have_text("2025-11")
    expect(head.nth(12)).to_have_text("2026-10")
    expect(page.locator("#performance tbody tr")).to_have_count(17)
    expect(page.locator("#performance tbody tr").first.locator("td").first).to_have_text("审批件数")
    expect(page.locator("#performance-message")).to_have_text("")
    shot(page, "dashboard-performance")
