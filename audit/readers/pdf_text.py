"""Words, text lines and cell text from PDF characters, as pdfplumber makes them, only faster.

pdfplumber's text functions (``Page.extract_text_lines``, ``Table.extract``, ``Page.extract_text``)
build dictionaries per word, a text map per call, and test every character of a page against
every table row; after the content streams they were the largest cost of the reader. These
functions give the same results for the settings the reader uses (``x_tolerance=1.5``,
``y_tolerance=3``, no layout, default directions) over pdfplumber's character dictionaries
(``text``, ``x0``, ``x1``, ``top``, ``bottom``, ``upright``), following pdfplumber 0.11:

* words (``WordExtractor``): runs of characters with the same ``upright`` are clustered into
  lines (upright text by ``top`` within 3 pt, rotated text by ``x0`` within 1.5 pt), sorted
  along the line; a blank character ends a word, and so does a character that starts before
  the previous one, more than 1.5 pt after its end, or more than 3 pt off its line;
* page lines (``extract_text_lines``): the words in their order, a new line whenever the
  ``top`` cluster of the words changes, words joined by one space;
* cell text (``extract_text``): the words clustered by ``top``, lines joined by newlines;
* cell characters (``Table.extract``): a character belongs to every cell holding its centre
  (left and top edges inclusive), found by bisection instead of a scan per row.

``tests/test_read_pdf_text.py`` compares them with pdfplumber on generated pages.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

X_TOLERANCE = 1.5
Y_TOLERANCE = 3.0
LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}
_LINE_RE = re.compile(r" *([^\n]+?) *(\n|$)")

Char = dict[str, Any]
Word = tuple[str, float, float, float, float, list[Char]]  # text, x0, top, x1, bottom, chars


def _cluster_ids(values: Iterable[float], tolerance: float) -> dict[float, int]:
    """Return each value's cluster number: sorted distinct values chained within ``tolerance``."""
    ids: dict[float, int] = {}
    last: float | None = None
    n = -1
    for v in sorted(set(values)):
        if last is None or v > last + tolerance:
            n += 1
        ids[v] = n
        last = v
    return ids


def cluster(
    items: Sequence[Any], key: Callable[[Any], float], tolerance: float, keep_order: bool
) -> list[list[Any]]:
    """Return ``items`` grouped by clustered ``key`` (pdfplumber's ``cluster_objects``)."""
    ids = _cluster_ids(map(key, items), tolerance)
    tagged = [(item, ids[key(item)]) for item in items]
    if not keep_order:
        tagged.sort(key=lambda t: t[1])
    return [[t[0] for t in group] for _n, group in itertools.groupby(tagged, key=lambda t: t[1])]


def _new_word(prev: Char, cur: Char, upright: bool) -> bool:
    """Return True when ``cur`` cannot continue the word ending with ``prev``."""
    if upright:
        ax, bx, cx, ay, cy = prev["x0"], prev["x1"], cur["x0"], prev["top"], cur["top"]
        return cx < ax or cx > bx + X_TOLERANCE or abs(cy - ay) > Y_TOLERANCE
    ax, bx, cx, ay, cy = prev["top"], prev["bottom"], cur["top"], prev["x0"], cur["x0"]
    return cx < ax or cx > bx + Y_TOLERANCE or abs(cy - ay) > X_TOLERANCE


def _word(chars: list[Char]) -> Word:
    """Return a word made of ``chars`` (ligatures expanded in its text)."""
    first = chars[0]
    if len(chars) == 1:
        return (
            LIGATURES.get(first["text"], first["text"] or ""),
            first["x0"],
            first["top"],
            first["x1"],
            first["bottom"],
            chars,
        )
    x0, top, x1, bottom = first["x0"], first["top"], first["x1"], first["bottom"]
    for c in chars:
        x0, top = min(x0, c["x0"]), min(top, c["top"])
        x1, bottom = max(x1, c["x1"]), max(bottom, c["bottom"])
    return "".join(LIGATURES.get(c["text"], c["text"] or "") for c in chars), x0, top, x1, bottom, chars


def _line_words(line: list[Char], upright: bool) -> Iterable[Word]:
    """Yield the words of one line of characters already sorted along it."""
    current: list[Char] = []
    for ch in line:
        text = ch["text"]
        if text.isspace():
            if current:
                yield _word(current)
            current = []
        elif text == "":  # pdfplumber splits around a character without text
            if current:
                yield _word(current)
            yield _word([ch])
            current = []
        elif current and _new_word(current[-1], ch, upright):
            yield _word(current)
            current = [ch]
        else:
            current.append(ch)
    if current:
        yield _word(current)


def words(chars: Sequence[Char]) -> list[Word]:
    """Return the words of ``chars`` in pdfplumber's order (see the module docstring)."""
    out: list[Word] = []
    for upright, group in itertools.groupby(chars, key=lambda c: c["upright"]):
        run = list(group)
        if upright:
            lines = cluster(run, lambda c: c["top"], Y_TOLERANCE, keep_order=False)
            order: Callable[[Char], Any] = lambda c: c["x0"]  # noqa: E731
        else:
            lines = cluster(run, lambda c: c["x0"], X_TOLERANCE, keep_order=False)
            order = lambda c: (c["top"], c["bottom"])  # noqa: E731
        for line in lines:
            out.extend(_line_words(sorted(line, key=order), bool(upright)))
    return out


def text_lines(chars: Sequence[Char]) -> list[dict[str, Any]]:
    """Return the text lines of ``chars`` as ``Page.extract_text_lines`` gives them (with chars).

    pdfplumber writes the words into one text (words joined by a space, lines by a newline, a
    character standing for each of its letters) and takes each line without its outer spaces;
    this builds the lines directly (through that text when a character's text holds a newline).
    """
    out = []
    for line in cluster(words(chars), lambda w: w[2], Y_TOLERANCE, keep_order=True):
        letters: list[str] = []
        owners: list[Char | None] = []
        for word in line:
            if letters:
                letters.append(" ")
                owners.append(None)
            for ch in word[5]:
                for letter in LIGATURES.get(ch["text"], ch["text"]):
                    letters.append(letter)
                    owners.append(ch)
        text = "".join(letters)
        if "\n" in text:
            return _text_lines_through_text(chars)
        start, end = len(text) - len(text.lstrip(" ")), len(text.rstrip(" "))
        if not text[start:end].strip():
            continue
        out.append(_line(text[start:end], [c for c in owners[start:end] if c is not None]))
    return out


def _line(text: str, chars: list[Char]) -> dict[str, Any]:
    """Return a text line as pdfplumber gives it: text, box and characters."""
    return {
        "text": text,
        "x0": min(c["x0"] for c in chars),
        "top": min(c["top"] for c in chars),
        "x1": max(c["x1"] for c in chars),
        "bottom": max(c["bottom"] for c in chars),
        "chars": chars,
    }


def _text_lines_through_text(chars: Sequence[Char]) -> list[dict[str, Any]]:
    """Return the text lines as pdfplumber finds them in its text of the page (see :func:`text_lines`)."""
    pieces: list[tuple[str, Char | None]] = []
    for i, line in enumerate(cluster(words(chars), lambda w: w[2], Y_TOLERANCE, keep_order=True)):
        if i:
            pieces.append(("\n", None))
        line_len = 0  # letters and spaces so far: a word after only empty ones gets no space
        for word in line:
            if line_len:
                pieces.append((" ", None))
                line_len += 1
            for ch in word[5]:
                letters = LIGATURES.get(ch["text"], ch["text"])
                pieces.extend((letter, ch) for letter in letters)
                line_len += len(letters)
    text = "".join(p[0] for p in pieces)
    out = []
    for m in _LINE_RE.finditer(text):
        if not m.group(1).strip():
            continue
        out.append(_line(m.group(1), [c for _t, c in pieces[m.start(1) : m.end(1)] if c is not None]))
    return out


def cell_text(chars: Sequence[Char]) -> str:
    """Return the text of a table cell's characters as ``Table.extract`` gives it."""
    if len(chars) <= 1:  # the common cell of one character (or none) is its text
        text = chars[0]["text"] if chars else ""
        return "" if text.isspace() else LIGATURES.get(text, text)
    lines = cluster(words(chars), lambda w: w[2], Y_TOLERANCE, keep_order=False)
    return "\n".join(" ".join(w[0] for w in line) for line in lines)


class CharIndex:
    """The characters of a page sorted by vertical centre, to find those inside boxes quickly."""

    def __init__(self, chars: Sequence[Char]) -> None:
        keyed = sorted(((c["top"] + c["bottom"]) / 2, i) for i, c in enumerate(chars))
        self._chars = chars
        self._mids = [k for k, _i in keyed]
        self._order = [i for _k, i in keyed]

    def centred_in(self, box: tuple[float, float, float, float]) -> list[Char]:
        """Return the characters whose centre is in ``box`` (x0 ≤ x < x1, top ≤ y < bottom), in page order."""
        x0, top, x1, bottom = box
        lo = bisect.bisect_left(self._mids, top)
        hi = bisect.bisect_left(self._mids, bottom)
        chars = self._chars
        picked = sorted(i for i in self._order[lo:hi] if x0 <= (chars[i]["x0"] + chars[i]["x1"]) / 2 < x1)
        return [chars[i] for i in picked]

    def within(self, x0: float, top: float, x1: float, bottom: float, margin: float) -> list[Char]:
        """Return the characters lying inside the box widened by ``margin`` on every side, in page order."""
        # such a character's centre lies between the widened top and bottom: bisect on it
        lo = bisect.bisect_left(self._mids, top - margin)
        hi = bisect.bisect_right(self._mids, bottom + margin)
        chars = self._chars
        picked = sorted(
            i
            for i in self._order[lo:hi]
            if chars[i]["top"] >= top - margin
            and chars[i]["bottom"] <= bottom + margin
            and chars[i]["x0"] >= x0 - margin
            and chars[i]["x1"] <= x1 + margin
        )
        return [chars[i] for i in picked]


def table_text(rows: Iterable[Any], index: CharIndex) -> list[list[str | None]]:
    """Return the text grid of a pdfplumber table's rows (``None`` where no cell starts)."""
    return [
        [None if cell is None else cell_text(index.centred_in(cell)) for cell in row.cells] for row in rows
    ]
