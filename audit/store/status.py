"""Finding statuses: the names every layer uses (no database import, so the CLI starts fast)."""

# Finding statuses. ``overdue`` is set when the deadline of an open or confirmed finding passes.
OPEN = "open"
CONFIRMED = "confirmed"
DISMISSED = "dismissed"
ACCEPTED = "accepted"
FIXED = "fixed"
OVERDUE = "overdue"
WITHDRAWN = "withdrawn"  # the same document no longer triggers it (rule changed), not a fix
# The agency explained it and the office accepted the explanation (rules with ``resolution:
# correct_or_explain`` only): resolved, not active, but not ``fixed`` — the report is unchanged.
EXPLAINED = "explained"
STATUSES = (OPEN, CONFIRMED, OVERDUE, ACCEPTED, EXPLAINED, DISMISSED, FIXED, WITHDRAWN)
ACTIVE = (OPEN, CONFIRMED, OVERDUE)  # unresolved findings that count against the agency

STATUS_NAMES = {
    OPEN: "待整改",
    CONFIRMED: "已确认",
    OVERDUE: "已逾期",
    ACCEPTED: "暂缓接受",
    EXPLAINED: "已说明",
    DISMISSED: "误报",
    FIXED: "已整改",
    WITHDRAWN: "已撤销",
}
# How a rule's finding may be resolved (the rule's ``resolution``): only by correcting the report,
# or also by an explanation the office accepts.
CORRECT = "correct"
CORRECT_OR_EXPLAIN = "correct_or_explain"
RESOLUTIONS = (CORRECT, CORRECT_OR_EXPLAIN)
SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
