"""The one state-machine helper the case workflow, finding review and dishonesty records share."""

from __future__ import annotations

import pytest

from credit.records import RECORD_LIFECYCLE, CreditStep
from domain.workflow import Refusal, Workflow
from resolvers.cases import CASE_WORKFLOW, Step
from resolvers.findings import FINDING_REVIEW, Review

WORKFLOWS = {"submitted": CASE_WORKFLOW, "open": FINDING_REVIEW, "draft": RECORD_LIFECYCLE}


def test_a_step_from_the_wrong_status_is_refused_as_such_even_when_the_version_is_stale_too() -> None:
    refused = CASE_WORKFLOW.refusal(Step.SUSPEND, {"before": "submitted", "seen": 4}, expected_version=3)
    assert refused.why is Refusal.WRONG_STATUS
    assert (refused.status, refused.current_version) == ("submitted", 4)
    assert refused.message == "suspend applies to cases that are approved; this one is submitted"


def test_a_stale_version_is_told_with_the_version_now_held() -> None:
    refused = FINDING_REVIEW.refusal(Review.CONFIRM, {"before": "assigned", "seen": 7}, expected_version=6)
    assert refused.why is Refusal.STALE_VERSION and refused.current_version == 7
    assert "finding changed since you read it" in refused.message


def test_status_and_version_fitting_leaves_the_steps_own_condition() -> None:
    refused = RECORD_LIFECYCLE.refusal(
        CreditStep.REPAIR, {"before": "published", "seen": 3}, expected_version=3
    )
    assert refused.why is Refusal.PRECONDITION


def test_the_guard_carries_where_a_step_starts_and_ends() -> None:
    assert RECORD_LIFECYCLE.guard(CreditStep.CORRECT) == {
        "allowed_from": ["decided", "published"],
        "to": None,
        "action": "correct",
    }
    assert CASE_WORKFLOW.steps_from("in_publicity") == [
        Step.OBJECTION,
        Step.DECIDE_APPROVE,
        Step.DECIDE_REJECT,
    ]


@pytest.mark.parametrize("start", sorted(WORKFLOWS))
def test_every_status_a_workflow_names_is_reachable_from_its_first(start: str) -> None:
    workflow: Workflow = WORKFLOWS[start]
    named = {start} | {s for t in workflow.transitions.values() for s in (*t.allowed_from, t.to) if s}
    reached, frontier = {start}, [start]
    while frontier:
        status = frontier.pop()
        for step in workflow.steps_from(status):
            to = workflow.transitions[step].to or status
            if to not in reached:
                reached.add(to)
                frontier.append(to)
    assert reached == named
