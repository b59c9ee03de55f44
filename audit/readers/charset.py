"""The one charset chain for text and HTML bytes (notes/dependencies.md §2 and §5).

Order: byte-order mark; the declared charset (an HTML ``<meta charset>``, ``http-equiv`` content
type or XML declaration, or the HTTP ``Content-Type``; gb2312/gbk read as gb18030) when it
decodes strictly — except that bytes which are valid UTF-8 with Chinese text are read as UTF-8
whatever a legacy or western charset declares; then strict UTF-8, strict GB18030, the same two
with a few stray bytes replaced, charset_normalizer, and finally UTF-8 with replacement
characters. Every guess and every contradiction is a ``problems`` entry (kind ``reader``).
charset_normalizer comes late because it misreads short GBK text as big5 or cp949.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET_RE = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([a-zA-Z0-9_.:\-]+)", re.I)
_XML_ENCODING_RE = re.compile(rb"<\?xml\b[^>]*?encoding\s*=\s*[\"']([a-zA-Z0-9_.:\-]+)", re.I)
_GB_NAMES = frozenset({"gb2312", "gbk", "gb18030"})
_GB_ALIASES = frozenset(
    {"x-gbk", "gb_2312-80", "gb_2312", "csgb2312", "iso-ir-58", "chinese", "x-euc-cn", "euc-cn"}
)
_WESTERN_NAMES = frozenset({"ascii", "iso8859-1", "cp1252", "latin-1", "iso8859-15"})
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_LENIENT_MAX_ERRORS = 0.005  # share of the bytes that may fail to decode (a stray include, a cut character)


def markup_charset(data: bytes) -> str | None:
    """Return the charset declared in a ``<meta>`` tag or XML declaration, as printed (lower case)."""
    head = data[:8192]
    m = _META_CHARSET_RE.search(head) or _XML_ENCODING_RE.search(head)
    return m.group(1).decode("ascii", "replace").strip().lower() if m else None


def codec_for(label: str) -> str | None:
    """Return the Python codec for a declared charset label (gb2312/gbk → gb18030), or None."""
    if label in _GB_ALIASES:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _GB_NAMES:
        return "gb18030"
    if name == "big5":
        return "big5hkscs"
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"  # a declaration readable as ASCII cannot be UTF-16; HTML reads it as utf-8
    return name


def _strict(data: bytes, codec: str) -> str | None:
    """Return ``data`` decoded strictly with ``codec``, or None when it does not decode."""
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _lenient(data: bytes, codec: str) -> tuple[str, int] | None:
    """Return (text, errors) decoding with replacement when only a few bytes fail, else None.

    Pages assembled from server-side includes often mix a GBK body with a UTF-8 footer (or the
    reverse), or end in a truncated character; one bad byte must not send the page to guessing.
    """
    try:
        text = data.decode(codec, errors="replace")
    except LookupError:
        return None
    errors = text.count("\ufffd")
    if 0 < errors <= max(1, _LENIENT_MAX_ERRORS * len(data)):
        return text, errors
    return None


def problem(code: str, detail: str, kind: str = "reader") -> dict[str, str]:
    """Return a ``problems`` entry of the intermediate document."""
    return {"kind": kind, "code": code, "detail": detail}


class _Chain:
    """One decoding: the bytes, what they are called in messages, and the problems met."""

    def __init__(self, data: bytes, what: str) -> None:
        self.data = data
        self.what = what
        self.problems: list[dict[str, str]] = []

    def mismatch(self, declared: str, used: str) -> None:
        self.problems.append(
            problem("charset_mismatch", f"{self.what}声明的字符编码“{declared}”与内容不符，已按 {used} 解码")
        )

    def stray(self, errors: int, codec: str) -> None:
        self.problems.append(
            problem(
                "charset_stray_bytes",
                f"{self.what}有 {errors} 处字节无法按 {codec} 解码，已替换为占位符，个别字符可能缺失",
            )
        )

    def declared(self, label: str, codec: str, utf8: str | None) -> tuple[str, str] | None:
        """Return (text, codec) for a declared charset, or None when it does not fit the bytes."""
        text = _strict(self.data, codec)
        if text is None:
            lenient = _lenient(self.data, codec)
            if lenient is None:
                return None
            self.stray(lenient[1], codec)
            return lenient[0], codec
        if codec == "utf-8":
            return text, codec
        if utf8 is not None and utf8 != text and _CJK_RE.search(utf8):
            self.mismatch(label, "utf-8")
            return utf8, "utf-8"
        if codec not in _WESTERN_NAMES or text.isascii():
            return text, codec
        # A western single-byte charset "decodes" any bytes; check the CJK codecs first.
        gb = _strict(self.data, "gb18030")
        if gb is not None and _CJK_RE.search(gb):
            self.mismatch(label, "gb18030")
            return gb, "gb18030"
        return text, codec

    def undeclared(self, label: str | None, utf8: str | None) -> tuple[str, str]:
        """Return (text, codec) by strict, lenient, detected and finally replacing decoding."""
        for codec in ("utf-8", "gb18030"):
            text = utf8 if codec == "utf-8" else _strict(self.data, codec)
            if text is not None:
                if label:
                    self.mismatch(label, codec)
                return text, codec
        for codec in ("utf-8", "gb18030"):
            lenient = _lenient(self.data, codec)
            if lenient is not None:
                self.stray(lenient[1], codec)
                return lenient[0], codec
        best = from_bytes(self.data).best()
        if best is not None:
            if label:
                self.mismatch(label, best.encoding)
            return str(best), best.encoding
        self.problems.append(
            problem(
                "charset_undetected", f"{self.what}字符编码无法确定，已按 UTF-8 容错解码，个别字符可能有误"
            )
        )
        return self.data.decode("utf-8", errors="replace"), "utf-8"


def decode(
    data: bytes, declared: str | None = None, what: str = "网页"
) -> tuple[str, str, list[dict[str, str]]]:
    """Decode text or HTML bytes; return (text, codec used, problems).

    ``declared`` is the charset label the document or its HTTP header declares (as printed);
    ``what`` names the document in messages (网页, 文本).
    """
    chain = _Chain(data, what)
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace"), codec, chain.problems
    codec = codec_for(declared) if declared else None
    if declared and codec is None:
        chain.problems.append(
            problem("charset_unknown", f"{what}声明了无法识别的字符编码“{declared}”，已自动判断编码")
        )
    utf8 = _strict(data, "utf-8")
    if declared and codec is not None:
        found = chain.declared(declared, codec, utf8)
        if found is not None:
            return found[0], found[1], chain.problems
    text, used = chain.undeclared(declared if codec is not None else None, utf8)
    return text, used, chain.problems
