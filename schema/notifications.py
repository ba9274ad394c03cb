"""The caller's inbox: assigned findings and reports, overdue reports, investigations handed
over. Mail is sent besides (jobs/notify_mail.py); the inbox has every notification either way."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers.context import RequestContext
from resolvers.notifications import inbox, mark_read
from schema.errors import Forbidden, InvalidInput

TEXT = {
    "finding_assign": ("分派给您的线索", "a finding was assigned to you"),
    "report_assign": ("分派给您的举报", "a report was assigned to you"),
    "report_overdue": ("举报已超过办理期限", "a report assigned to you is overdue"),
    "investigation_hand_over": ("移交给您的核查案卷", "an investigation was handed over to you"),
}


@strawberry.type
class Notification:
    notification_id: str
    kind: str = strawberry.field(
        description="finding_assign, report_assign, report_overdue, investigation_hand_over"
    )
    about: str = strawberry.field(description="the finding, report or investigation id")
    text_zh: str
    text_en: str
    created_at: str
    read: bool
    mail_status: str = strawberry.field(description="pending (retried), sent, or none (no mail address)")


def notification(n: dict[str, Any]) -> Notification:
    zh, en = TEXT.get(n["kind"], (n["kind"], n["kind"]))
    return Notification(
        notification_id=n["notification_id"],
        kind=n["kind"],
        about=n["about"],
        text_zh=f"{zh}：{n['about']}",
        text_en=f"{en}: {n['about']}",
        created_at=n["created_at"],
        read=n.get("read_at") is not None,
        mail_status=n.get("mail_status") or "pending",
    )


@strawberry.type
class Inbox:
    notifications: list[Notification]
    unread: int


@strawberry.type
class MarkedRead:
    marked: int


InboxResult = Annotated[Inbox | Forbidden | InvalidInput, strawberry.union("InboxResult")]
MarkReadResult = Annotated[MarkedRead | Forbidden | InvalidInput, strawberry.union("MarkReadResult")]


@strawberry.type
class NotificationQuery:
    @strawberry.field(description="Your notifications, newest first.")
    async def inbox(
        self, info: Info[RequestContext, None], unread_only: bool = False, first: int = 50
    ) -> InboxResult:
        ctx = info.context
        if not 1 <= first <= ctx.settings.max_page_size:
            return InvalidInput(field="first", message=f"between 1 and {ctx.settings.max_page_size}")
        rows = await inbox(ctx.gateway, ctx.principal.subject, unread_only, first)
        items = [notification(n) for n in rows]
        return Inbox(notifications=items, unread=sum(not n.read for n in items))


@strawberry.type
class NotificationMutation:
    @strawberry.mutation(description="Mark your notifications read.")
    async def mark_notifications_read(
        self, info: Info[RequestContext, None], notification_ids: list[str]
    ) -> MarkReadResult:
        ctx = info.context
        if not 1 <= len(notification_ids) <= 100:
            return InvalidInput(field="notificationIds", message="1-100 notification ids")
        return MarkedRead(marked=await mark_read(ctx.gateway, ctx.principal.subject, notification_ids))
