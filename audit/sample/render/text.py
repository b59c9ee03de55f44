"""Render a draft as the plain text of a report copied from its page (tables as tab-separated rows)."""

from __future__ import annotations

from audit.sample.document import Draft, Para


def render_text(draft: Draft) -> bytes:
    """Return the report as UTF-8 text: paragraphs apart by blank lines, table rows tab-separated."""
    lines: list[str] = []
    for block in draft.blocks():
        if isinstance(block, Para):
            lines += [block.text, ""]
            continue
        for row in block.expanded():
            lines.append("\t".join(row).rstrip("\t"))
        lines.append("")
    return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")
