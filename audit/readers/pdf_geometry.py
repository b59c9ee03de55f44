"""Geometry of PDF objects as pdfminer computes it and pdfplumber presents it.

pdfminer turns a page's user space into device space with a matrix that moves the media box
to the origin and applies the page's ``/Rotate``; pdfplumber then measures ``top`` and
``bottom`` from the top of the page. A painted path becomes, per subpath (each ``m``), a line
(``m l``), a rectangle (a closed axis-aligned ``m l l l``) or a curve (anything else, keeping one
end point per Bézier segment). :mod:`audit.readers.pdf_pdfium` gives pdfium's objects to
pdfplumber through these functions, so that they land where pdfminer would have put them.
"""

from __future__ import annotations

import re
from typing import Any

from pdfplumber.page import Page

Matrix = tuple[float, float, float, float, float, float]
Point = tuple[float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_SUBPATH_RE = re.compile(r"m[^m]+")


def mult(m1: Matrix, m0: Matrix) -> Matrix:
    """Return ``m1`` followed by ``m0`` (pdfminer's ``mult_matrix``)."""
    a1, b1, c1, d1, e1, f1 = m1
    a0, b0, c0, d0, e0, f0 = m0
    return (
        a0 * a1 + c0 * b1,
        b0 * a1 + d0 * b1,
        a0 * c1 + c0 * d1,
        b0 * c1 + d0 * d1,
        a0 * e1 + c0 * f1 + e0,
        b0 * e1 + d0 * f1 + f0,
    )


def apply(m: Matrix, x: float, y: float) -> Point:
    """Return point (x, y) transformed by ``m``."""
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


class Geometry:
    """From PDF user space to pdfplumber's coordinates, as pdfminer and pdfplumber compute them."""

    def __init__(self, page: Page) -> None:
        x0, y0, x1, y1 = page.page_obj.mediabox
        rotate = page.page_obj.rotate
        if rotate == 90:
            self.ctm: Matrix = (0, -1, 1, 0, -y0, x1)
        elif rotate == 180:
            self.ctm = (-1, 0, 0, -1, x1, y1)
        elif rotate == 270:
            self.ctm = (0, 1, -1, 0, y1, -x0)
        else:
            self.ctm = (1, 0, 0, 1, -x0, -y0)
        self.height = float(page.height)
        self.mb_x0, self.mb_top = page.mediabox[0], page.mediabox[1]
        self.doctop = page.initial_doctop
        self.page_number = page.page_number

    def box(self, xa: float, ya: float, xb: float, yb: float) -> dict[str, float]:
        """Return pdfplumber's box fields for the rectangle spanned by two device-space points."""
        x0, x1 = (xa, xb) if xa <= xb else (xb, xa)
        y0, y1 = (ya, yb) if ya <= yb else (yb, ya)
        top = self.height - y1 + self.mb_top
        return {
            "x0": x0 + self.mb_x0,
            "x1": x1 + self.mb_x0,
            "y0": y0,
            "y1": y1,
            "top": top,
            "bottom": self.height - y0 + self.mb_top,
            "doctop": self.doctop + top,
            "width": x1 - x0,
            "height": y1 - y0,
            "page_number": self.page_number,
        }

    def char(self, x0: float, y0: float, x1: float, y1: float, a: float, d: float) -> dict[str, Any]:
        """Return a character of text matrix scale (a, d) whose box in user space is (x0, y0, x1, y1)."""
        ctm = self.ctm
        if ctm[0] == 1 and ctm[3] == 1:  # an unrotated page: the box only moves
            box = self.box(x0 + ctm[4], y0 + ctm[5], x1 + ctm[4], y1 + ctm[5])
            box["upright"] = True
        else:
            box = self.box(*apply(ctm, x0, y0), *apply(ctm, x1, y1))
            ra, rb, rc, rd = a * ctm[0], a * ctm[1], d * ctm[2], d * ctm[3]
            box["upright"] = ra * rd > 0 and rb * rc <= 0
        box["size"] = box["height"]
        box["object_type"] = "char"
        return box

    def point(self, x: float, y: float) -> tuple[float, float]:
        """Return a device-space point in pdfplumber's (x, top) coordinates."""
        return (x + self.mb_x0, self.height - y + self.mb_top)


def path_items(
    segments: list[tuple[str, Point]], stroke: bool, fill: bool, geometry: Geometry
) -> list[tuple[str, dict[str, Any]]]:
    """Return the lines, rectangles and curves pdfminer makes of a painted path.

    ``segments`` are the path's operators (``m l c h``) with their end points in device space
    (``h`` with the subpath's start).
    """
    shape = "".join(op for op, _pt in segments)
    items = []
    for found in _SUBPATH_RE.finditer(shape):
        sub = segments[found.start() : found.end()]
        kind, pts = _classify("".join(op for op, _pt in sub), [pt for _op, pt in sub])
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        if kind == "rect":
            item = geometry.box(pts[0][0], pts[0][1], pts[2][0], pts[2][1])
        else:
            item = geometry.box(min(xs), min(ys), max(xs), max(ys))
        item["object_type"] = kind
        item["pts"] = [geometry.point(px, py) for px, py in (pts[:2] if kind == "line" else pts)]
        item["stroke"], item["fill"] = stroke, fill
        items.append((kind, item))
    return items


def _classify(shape: str, pts: list[Point]) -> tuple[str, list[Point]]:
    """Return what pdfminer makes of one subpath: ``line``, ``rect`` or ``curve``, and its points."""
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts = pts[:-2] + pts[-1:]
    if shape in ("mlh", "ml"):
        return "line", pts
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
            y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
        )
        if pts[0] == pts[4] and square:
            return "rect", pts
    return "curve", pts


def image_box(m: Matrix, geometry: Geometry) -> dict[str, Any]:
    """Return an image drawn with matrix ``m`` (its unit square in device space) as a pdfplumber image."""
    corners = [apply(m, px, py) for px, py in ((0, 0), (1, 0), (0, 1), (1, 1))]
    xs = [p[0] for p in corners]
    ys = [p[1] for p in corners]
    item = geometry.box(min(xs), min(ys), max(xs), max(ys))
    item["object_type"] = "image"
    return item
