"""Charts for the dashboard as SVG drawn on the server (no script, no chart library, no network).

Every label is escaped (markupsafe) before it goes into the markup; the functions return
``Markup`` so a template can embed the chart as it is. To add a chart: a function here returning
``Markup``, and a call in :func:`audit.render.dashboard.dashboard_view`.
"""

from __future__ import annotations

from markupsafe import Markup, escape

COLORS = {
    "open": "#c0392b",
    "fixed": "#27ae60",
    "overdue": "#8e0000",
    "explained": "#2471a3",
    "other": "#7f8c8d",
}


def bars(items: list[tuple[str, int]], *, title: str, width: int = 640, color: str = "#c0392b") -> Markup:
    """Return a horizontal bar chart of (label, value) pairs, largest first as given."""
    row, left = 22, 300
    height = row * len(items) + 30
    top = max((v for _, v in items), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(items):
        y = 20 + i * row
        w = (width - left - 60) * value / top
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" font-size="12">{escape(label[:22])}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{color}"/>'
            f'<text x="{left + w + 4:.1f}" y="{y + 14}" font-size="12">{int(value)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_years(series: dict[int, dict[str, int]], *, title: str, width: int = 640) -> Markup:
    """Return a column chart per report year, each column stacked by status group (open/fixed/…)."""
    years = sorted(series)
    height, base, left = 220, 190, 40
    top = max((sum(v.values()) for v in series.values()), default=0) or 1
    col = (width - left - 120) / max(len(years), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
        f'<line x1="{left}" y1="{base}" x2="{width - 110}" y2="{base}" stroke="#333"/>'
    ]
    for i, year in enumerate(years):
        x = left + i * col + col * 0.2
        y = base
        for key in COLORS:
            value = series[year].get(key, 0)
            if not value:
                continue
            h = (base - 20) * value / top
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{col * 0.6:.1f}" height="{h:.1f}" fill="{COLORS[key]}">'
                f"<title>{year} {escape(LEGEND[key])} {value}</title></rect>"
            )
        parts.append(
            f'<text x="{x + col * 0.3:.1f}" y="{base + 16}" text-anchor="middle" font-size="12">{year}</text>'
            f'<text x="{x + col * 0.3:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="12">'
            f"{sum(series[year].values())}</text>"
        )
    for j, key in enumerate(COLORS):
        parts.append(
            f'<rect x="{width - 100}" y="{20 + j * 18}" width="12" height="12" fill="{COLORS[key]}"/>'
            f'<text x="{width - 84}" y="{30 + j * 18}" font-size="12">{escape(LEGEND[key])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


LEGEND = {"open": "未整改", "fixed": "已整改", "overdue": "已逾期", "explained": "已说明", "other": "其他"}
