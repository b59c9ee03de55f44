"""Finding statuses: the names every layer uses (no database import, so the CLI starts fast)."""

# Finding statuses. ``overdue`` is set when the deadline of an open or confirmed finding passes.
OPEN = "open"
CONFIRMED = "confirmed"
DISMISSED = "dismissed"
ACCEPTED = "accepted"
FIXED = "fixed"
OVERDUE = "overdue"
WITHDRAWN = "withdrawn"  # the same document no longer triggers it (rule changed), not a fix
STATUSES = (OPEN, CONFIRMED, OVERDUE, ACCEPTED, DISMISSED, FIXED, WITHDRAWN)
ACTIVE = (OPEN, CONFIRMED, OVERDUE)  # unresolved findings that count against the agency
