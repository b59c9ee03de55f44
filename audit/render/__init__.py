"""What the office sends and reads: 整改通知, 整改清单, 通报 and the dashboard.

Every output is built in two steps: a *view* (plain dataclasses and dicts read from the store
through :mod:`audit.store.queries`, worded by :mod:`audit.render.words`) and a *writer* (Jinja2
templates for HTML, python-docx for DOCX, openpyxl for XLSX). Views never touch files; writers never
query the store.

- :mod:`audit.render.office`: the issuing office (the ``office_*`` settings), Chinese dates.
- :mod:`audit.render.words`: statuses, severities, locators and evidence as a reader says them.
- :mod:`audit.render.notice`: the 整改通知 view; :mod:`audit.render.gongwen`: its DOCX (GB/T 9704).
- :mod:`audit.render.ledger`: the 整改清单 XLSX and its import.
- :mod:`audit.render.bulletin`: the 通报 view.
- :mod:`audit.render.evidence`: archived documents with the cited cells highlighted.
- :mod:`audit.render.dashboard`: the static dashboard; :mod:`audit.render.svg`: its charts.
- :mod:`audit.render.outputs`: everything for a scope (``gkaudit notices``).

Recipe for a new output: write its view function (store → dataclass), a template under
``templates/`` (HTML is escaped by default: never mark report text ``|safe``) or a writer function,
call it from :func:`audit.render.outputs.render_scope`, link it from the dashboard, and add it to
the hostile-input walk in tests/test_render_hostile.py.
"""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from audit.clock import local_time
from audit.form import describe_locator
from audit.render import words
from audit.store.status import SEVERITY_NAMES, STATUS_NAMES


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Return the Jinja2 environment of the HTML outputs: autoescaped, StrictUndefined."""
    env = Environment(
        loader=PackageLoader("audit.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["zh"] = words.zh_number
    env.filters["status"] = lambda code: STATUS_NAMES.get(code, code)
    env.filters["severity"] = lambda code: SEVERITY_NAMES.get(code, code)
    env.filters["local_time"] = local_time
    env.filters["say"] = describe_locator
    env.filters["level"] = lambda code: words.LEVEL_NAMES.get(code, code)
    return env


def render_html(template: str, **context: object) -> str:
    """Render one of the package's HTML templates with ``context``."""
    return environment().get_template(template).render(**context)
