"""Readers of the counts a report's narrative states, to be compared with its tables (NT01–NT07).

One module per statement kind: ``applications`` (received, answered, carried over), ``outcomes``
(予以公开、部分公开… alone or several together), ``appeals`` (行政复议 / 行政诉讼), ``documents``
(规章 / 行政规范性文件), ``fees`` (收费通知 / 信息处理费). Each returns
:class:`~audit.facts.narrative.common.Statement` records; ``audit.facts.stated`` turns them into facts.

Everything here is deliberately conservative: a number is only taken when its sentence says
unambiguously what it counts (本年新收 vs 含上年结转, 行政复议 vs 行政诉讼, 答复 vs 受理); a sentence
that compares with last year or counts documents rather than cases yields nothing, and a statement
the grammar recognises but cannot read for certain yields an ``unread:`` statement (counted, never
compared). Text is normalised first (:func:`audit.text.norm`), so "12 件" and lines wrapped inside
a sentence read the same as "12件".

Recipe: to read a new phrasing, add it to docs/wording.md under its statement kind with the
reading it must give (the wording test reads that list), then widen the pattern of the kind's
module until the test passes; keep every negative of the list passing too.
"""
