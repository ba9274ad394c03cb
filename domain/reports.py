"""Reports and complaints (投诉举报, DOMAIN.md section 12): categories, channels, and the
triage a report goes through; what its reporter may see of it."""

from __future__ import annotations

from enum import StrEnum

from domain.workflow import Transition, Workflow


class ReportCategory(StrEnum):
    FRAUDULENT_CLAIM = "fraudulent_claim"  # 骗取救助
    STAFF_MISCONDUCT = "staff_misconduct"  # 优亲厚友, 吃拿卡要
    INACTION = "inaction"  # 不作为/慢作为
    EMBEZZLEMENT = "embezzlement"  # 贪污/挪用/截留
    SERVICE_COMPLAINT = "service_complaint"


CATEGORY_ZH = {
    ReportCategory.FRAUDULENT_CLAIM: "骗取救助",
    ReportCategory.STAFF_MISCONDUCT: "工作人员违规（优亲厚友、吃拿卡要）",
    ReportCategory.INACTION: "不作为、慢作为",
    ReportCategory.EMBEZZLEMENT: "贪污、挪用、截留",
    ReportCategory.SERVICE_COMPLAINT: "服务投诉",
}


class ReportChannel(StrEnum):
    HOTLINE = "hotline"  # 12345 or the office's own line
    LETTER = "letter"
    VISIT = "visit"
    ONLINE = "online"  # the public form


class ReportStatus(StrEnum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    INVESTIGATING = "investigating"  # part of an investigation
    REJECTED = "rejected"
    CONCLUDED = "concluded"  # its investigation was referred or closed


class ReportStep(StrEnum):
    ASSIGN = "assign"
    REJECT = "reject"
    INVESTIGATE = "investigate"
    CONCLUDE = "conclude"
    LINK = "link"  # to findings and named subjects: the status stays


_S = ReportStatus
OPEN_REPORT = (_S.RECEIVED, _S.ASSIGNED)
REPORT_LIFECYCLE: Workflow[ReportStep] = Workflow(
    "report",
    {
        ReportStep.ASSIGN: Transition((_S.RECEIVED, _S.ASSIGNED), _S.ASSIGNED),
        ReportStep.REJECT: Transition(OPEN_REPORT, _S.REJECTED),
        ReportStep.INVESTIGATE: Transition((*OPEN_REPORT, _S.INVESTIGATING), _S.INVESTIGATING),
        ReportStep.CONCLUDE: Transition((_S.INVESTIGATING,), _S.CONCLUDED),
        ReportStep.LINK: Transition((*OPEN_REPORT, _S.INVESTIGATING), None),
    },
)

# What a reporter reads with their tracking code: the status in plain words, nothing else.
PUBLIC_STATUS_ZH = {
    _S.RECEIVED: "已受理，待分派",
    _S.ASSIGNED: "已分派，正在办理",
    _S.INVESTIGATING: "正在核查",
    _S.REJECTED: "不予受理",
    _S.CONCLUDED: "已办结",
}
PUBLIC_STATUS_EN = {
    _S.RECEIVED: "received, waiting to be assigned",
    _S.ASSIGNED: "assigned, being handled",
    _S.INVESTIGATING: "under investigation",
    _S.REJECTED: "not taken up",
    _S.CONCLUDED: "concluded",
}
