"""An assignee's inbox: a notification is created in the same write as the assignment,
hand-over or overdue check that causes it, so none is lost; mail is sent afterwards by
the `notify` job (jobs/notify_mail.py), retried while the mail server is down, and the
inbox shows the notification meanwhile."""

from __future__ import annotations

from typing import Any

# Appended inside a guarded write's CALL block: $notify is the recipient (None: nobody).
# `about` is the record's id, `kind` what happened to it.
NOTIFY_FRAGMENT = """
  FOREACH (recipient IN CASE WHEN $notify IS NULL THEN [] ELSE [$notify] END |
    CREATE (:Notification {notification_id: randomUUID(), recipient: recipient, kind: $notify_kind,
                           about: $notify_about, created_at: datetime(), read_at: null,
                           mail_status: 'pending', mail_attempts: 0, next_mail_at: datetime()}))
"""

INBOX = """
MATCH (n:Notification {recipient: $recipient})
WHERE NOT $unread_only OR n.read_at IS NULL
RETURN n {.*, created_at: toString(n.created_at), read_at: toString(n.read_at)} AS notification
ORDER BY n.created_at DESC, n.notification_id
LIMIT $limit
"""

MARK_READ = """
UNWIND $ids AS id
MATCH (n:Notification {notification_id: id})
WHERE n.recipient = $recipient
SET n.read_at = coalesce(n.read_at, datetime())
RETURN count(n) AS marked
"""


async def inbox(gateway: Any, recipient: str, unread_only: bool, limit: int) -> list[dict[str, Any]]:
    rows = await gateway.read(INBOX, recipient=recipient, unread_only=unread_only, limit=limit)
    return [r["notification"] for r in rows]


async def mark_read(gateway: Any, recipient: str, ids: list[str]) -> int:
    rows = await gateway.write(MARK_READ, recipient=recipient, ids=ids)
    return int(rows[0]["marked"]) if rows else 0
