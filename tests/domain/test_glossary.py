"""The glossary names every code the workbench and the explanations show, in both languages."""

from __future__ import annotations

import re

from domain.finding_kinds import FindingKind, FindingStatus, FindingStep
from domain.glossary import glossary, served_glossary, term
from domain.investigations import InvestigationStatus, InvestigationStep, Outcome, ReferredTo
from domain.reports import ReportCategory, ReportChannel, ReportStatus, ReportStep
from loaders.rows.benefits import CaseStatus
from loaders.rows.registers import HouseholdRelation, KinRelation, StaffRole
from resolvers.linkage import START_KINDS, WALKED
from schema.notifications import TEXT as NOTIFICATION_TEXT


def test_every_code_shown_has_a_word_in_both_languages() -> None:
    words = glossary()
    wanted = {
        "kind": set(FindingKind),
        "status": set(FindingStatus) | set(CaseStatus),
        "relation": set(HouseholdRelation) | set(KinRelation),
        "edge": set(WALKED),
        "node": set(START_KINDS),
        "event": set(FindingStep) | {"detected", "reopened", "resolved"},
        "value": set(StaffRole),
    }
    for group, codes in wanted.items():
        assert sorted(str(c) for c in codes if str(c) not in words[group]) == [], group
    for group, terms in words.items():
        for code, pair in terms.items():
            zh, en = pair
            assert zh and en, (group, code)
            # Chinese words carry no Latin letters but units (m²) and codes.
            assert not re.search(r"[A-Za-z]", zh), (group, code, zh)


def test_reports_case_files_and_the_inbox_have_words_for_their_codes() -> None:
    words = glossary()
    wanted = {
        "report_status": set(ReportStatus),
        "investigation_status": set(InvestigationStatus),
        "category": set(ReportCategory),
        "channel": set(ReportChannel),
        "referred_to": set(ReferredTo),
        "outcome": set(Outcome),
        "notification": set(NOTIFICATION_TEXT),
        "event": {"receive", "open", "add", "note", "attach", "investigate", "conclude"}
        | {str(s) for s in InvestigationStep}
        | {str(s) for s in ReportStep},
    }
    for group, codes in wanted.items():
        assert sorted(str(c) for c in codes if str(c) not in words[group]) == [], group


def test_a_code_without_a_word_is_shown_as_itself() -> None:
    assert term("status", "approved") == "已批准" and term("status", "approved", "en") == "approved"
    assert term("status", "no such status") == "no such status"
    served = served_glossary(
        {"DIBAO": ("最低生活保障", "Minimum living allowance")}, {"MZ": ("民政局", "Civil affairs")}
    )
    assert served["programme"]["DIBAO"] == ["最低生活保障", "Minimum living allowance"]
    assert served["edge"] == glossary()["edge"]
