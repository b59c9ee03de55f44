"""The durable-rules adapter: evaluates the rule catalogue over a report's facts.

This is the only module that imports ``durable_rules``. It owns every pitfall of
notes/dependencies.md §1:

* **One host per process.** :class:`_Host` (a ``durable.engine.Host`` subclass) is created once;
  its ``get_action`` returns factory-built one-argument actions (a two-argument function would be
  taken for an async action). Its ``_run`` is overridden to start **no** background threads: the
  stock host starts two timer threads that call into the C engine outside any lock, and we use no
  timers; actions of ``assert_fact`` run synchronously inside the call (measured below).
* **One lock.** Every call into durable (register, assert, get_state, delete_state) happens under
  one process-wide ``threading.Lock``.
* **Facts, not events.** ``assert_fact`` (``post`` would let only the first rule see an event).
* **A fresh context per audit.** Each :meth:`Engine.evaluate` uses a new ``sid`` and deletes it
  afterwards (``delete_state``), so memory stays flat.
* **"No rule matched"** (``MessageNotHandledException``) is the normal clean case: no matches.
* **Duplicates.** Two facts with the same (type, key) raise
  :class:`audit.rulebook.condition.DuplicateFactError` before
  anything is asserted; ``MessageObservedException`` is reported the same way.
* **Exceptions in actions** are caught inside the action, recorded, and re-raised after the call as
  :class:`RuleActionError`; ``get_state()['exception']`` is checked too.
* **Versioned ruleset names.** The ruleset is named after the catalogue hash; a changed catalogue
  registers a new name in the same process (durable cannot unregister or replace a ruleset).
  ``set_rulesets`` is given a deep copy (it deletes ``run`` from the dict it is given).
* **Warm-up before the first delete.** ``delete_state`` on a ruleset in which no action has ever
  run crashes the process (measured: ``free(): invalid pointer`` / SIGSEGV after asserting a fact
  that matched nothing into a fresh ruleset; 3,000 mixed audits ran clean once one action had run).
  Every registered ruleset therefore carries a hidden ``__warmup__`` rule, and registration asserts
  one warm-up fact that fires it and deletes that state, before any audit uses the ruleset.
* **Numbers in JSON.** durable's JSON parser rejects exponent notation (``1e-05``, ``1e+20``: "error
  code 204" for rulesets and facts alike), which Python's ``json.dumps`` emits for floats below
  1e-4 or from 1e16 up — e.g. the amount tolerance 0.00005. The ``json`` module seen by
  ``durable.engine`` is replaced by :class:`_DurableJson`, which writes such floats in positional
  notation (the exact shortest decimal, so the C side parses the same double).

Measured with durable-rules 2.0.28 (Python 3.11.7, this machine; the key probes are re-run by
tests/test_engine.py):

* Comparisons against a **missing** field are unreliable and depend on the other rules of the
  ruleset: in a 17-rule probe ruleset, ``$lt`` and ``$gt`` against a missing ``b`` **both** fired
  for ``{"a": 0}``, ``$add`` over a missing operand matched strings, and ``$neq`` against a missing
  field fired for ``{"a": false}`` but not for ``{"a": 1}``; in a 3-rule ruleset the same facts
  fired nothing. Hence every compiled condition starts with ``$ex`` tests for every referenced
  field (``tests/test_engine.py::test_measured_durable_behaviours`` keeps the probe).
* ``$ex`` matches a field whose value is JSON ``null``: ``None`` fields are dropped from the fact
  before asserting, so null == missing.
* Mixed types match in ways Python does not, and not even consistently: ``true == 1`` and
  ``false == 0`` (literal and ``$m`` forms); ``"1"`` equalled a ``$m`` field holding ``1``, while
  ``{"a": 1}`` matched ``"1"`` in one ruleset and not in another that differed only in rule names;
  any string is ``$gte`` 0, ``""`` is ``$lt`` 0; lists and dicts match ``$eq`` and ``$lt`` alike.
  Hence the compiler infers each field's kind (num/str/bool) and both evaluators refuse a mistyped
  fact (:class:`audit.rulebook.condition.FactTypeError`); facts are flat scalars.
* Strings of the same kind compare correctly: byte-wise UTF-8 order equals Python's code-point
  order; Chinese and emoji values, quotes, backslashes, newlines and ``""`` work; Chinese field
  names work.
* ``$add``/``$sub`` over **two literals** never matches (``a < 2 - 1.5`` did not fire for
  ``a = 0``, while ``a < 0.5`` did; found by the hypothesis differential test): the compiler folds
  such constants. A literal with a field (``2 + $m``, ``0 - $m``) works.
* Floats: ``0.1 + 0.2 == 0.3`` is false as in Python; over 20,000 random cases
  ``a == b + c``, ``a < b + c`` and ``a > b + 0.00005`` agreed exactly with Python doubles
  (including values below 1e-4 written positionally). Ints are 64-bit (2**53+1 > 2**53 holds).
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from durable import engine as _durable

from audit.rulebook.catalog import Catalog
from audit.rulebook.condition import INDEX_KEY, TYPE_KEY, DuplicateFactError, FactLike


class EngineError(RuntimeError):
    """The rule engine failed; the audit result is not trustworthy."""


class RuleActionError(EngineError):
    """An exception was raised inside a rule action (recorded and re-raised after the call)."""


# ------------------------------------------------------------------------------------------------
# JSON without exponent notation (durable's parser rejects it)

_PLACEHOLDER = "\x00gkf{}\x00"
_PLACEHOLDER_RE = re.compile(r'"\\u0000gkf(\d+)\\u0000"')


def _needs_positional(x: float) -> bool:
    return "e" in repr(x) or "E" in repr(x)


def _positional(x: float) -> str:
    return format(Decimal(repr(x)), "f")


class _DurableJson:
    """Stand-in for the ``json`` module inside ``durable.engine``: floats never use exponents."""

    loads = staticmethod(json.loads)
    JSONDecodeError = json.JSONDecodeError

    @staticmethod
    def dumps(obj: Any, **kwargs: Any) -> str:
        """Serialise like ``json.dumps``, writing every float in positional notation."""
        found: list[str] = []

        def fix(o: Any) -> Any:
            if isinstance(o, float) and not isinstance(o, bool) and _needs_positional(o):
                found.append(_positional(o))
                return _PLACEHOLDER.format(len(found) - 1)
            if isinstance(o, dict):
                return {k: fix(v) for k, v in o.items()}
            if isinstance(o, list | tuple):
                return [fix(v) for v in o]
            return o

        fixed = fix(obj)
        text = json.dumps(fixed, **kwargs)
        if not found:
            return text
        return _PLACEHOLDER_RE.sub(lambda m: found[int(m.group(1))], text)


_durable.json = _DurableJson  # type: ignore[attr-defined]

# ------------------------------------------------------------------------------------------------
# The process-wide host

_LOCK = threading.Lock()
_SID = itertools.count(1)


class _Collector:
    """Where the actions of the evaluation currently holding the lock write their results."""

    def __init__(self) -> None:
        self.matches: list[tuple[str, int]] = []
        self.errors: list[str] = []


_current: _Collector | None = None
#: Test hook: called inside every action with (rule_id, fact_dict); may raise.
_action_hook: Callable[[str, dict], None] | None = None


WARMUP = "__warmup__"


def _make_action(rule_id: str) -> Callable[[Any], None]:
    """Build the one-argument action of a rule (durable treats two arguments as async)."""

    def action(c: Any) -> None:
        if rule_id == WARMUP:
            return
        try:
            fact = dict(c.m._d) if hasattr(c.m, "_d") else dict(c.m)
            if _action_hook is not None:
                _action_hook(rule_id, fact)
            if _current is None:
                raise EngineError("规则动作在评估之外被调用")
            _current.matches.append((rule_id, int(fact[INDEX_KEY])))
        except BaseException as exc:  # noqa: BLE001 - recorded and re-raised by the engine
            if _current is not None:
                _current.errors.append(f"{rule_id}：{type(exc).__name__}: {exc}")

    return action


class _Host(_durable.Host):
    """The single durable host: actions by name from a factory, no background threads."""

    def __init__(self) -> None:
        self._actions: dict[str, Callable[[Any], None]] = {}
        super().__init__()

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        """Return the action for ``<ruleset>:<rule id>``, building it on first use."""
        if action_name not in self._actions:
            self._actions[action_name] = _make_action(action_name.rsplit(":", 1)[-1])
        return self._actions[action_name]

    def _run(self) -> None:
        """Start no dispatch/timer threads (they would call the C engine outside our lock)."""


_host: _Host | None = None
_registered: set[str] = set()


def _get_host() -> _Host:
    global _host
    if _host is None:
        _host = _Host()
    return _host


def registered_rulesets() -> set[str]:
    """Return the names of the rulesets registered in this process."""
    with _LOCK:
        return set(_registered)


@contextmanager
def action_hook(hook: Callable[[str, dict], None]) -> Iterator[None]:
    """Install a test hook called inside every rule action (for safety tests only)."""
    global _action_hook
    with _LOCK:
        _action_hook = hook
    try:
        yield
    finally:
        with _LOCK:
            _action_hook = None


def durable_ruleset(catalog: Catalog) -> dict:
    """Return the durable JSON ruleset of a catalogue (``{name: {rule_id: {...,"run": action}}}``)."""
    name = catalog.ruleset_name
    rules = {r.id: {**r.durable_rule(), "run": f"{name}:{r.id}"} for r in catalog.rules}
    rules[WARMUP] = {"all": [{"m": {TYPE_KEY: WARMUP}}], "run": f"{name}:{WARMUP}"}
    return {name: rules}


def _register(host: _Host, catalog: Catalog) -> None:
    """Register the catalogue's ruleset and run its warm-up (caller holds the lock)."""
    name = catalog.ruleset_name
    host.set_rulesets(copy.deepcopy(durable_ruleset(catalog)))
    _registered.add(name)
    host.assert_fact(name, {TYPE_KEY: WARMUP, "sid": WARMUP})
    host.delete_state(name, WARMUP)


class Engine:
    """Evaluates a catalogue with durable-rules; thread-safe (all durable calls are serialised)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.ruleset = catalog.ruleset_name
        with _LOCK:
            host = _get_host()
            if self.ruleset not in _registered and catalog.rules:
                _register(host, catalog)

    def evaluate(self, facts: Sequence[FactLike], rule_ids: set[str] | None = None) -> list[tuple[str, int]]:
        """Return the sorted (rule id, fact index) pairs of every rule that fires on ``facts``.

        ``rule_ids`` restricts the result to those rules (applicability is decided by the caller).
        Raises :class:`RuleActionError`, :class:`EngineError` or (bad facts)
        :class:`audit.rulebook.condition.DuplicateFactError`, ``FactShapeError``, ``FactTypeError``.
        """
        global _current
        self.catalog.check_facts(facts)
        if not self.catalog.rules or not facts:
            return []
        types = {r.fact for r in self.catalog.rules}
        collector = _Collector()
        with _LOCK:
            host = _get_host()
            sid = f"a{next(_SID)}"
            _current = collector
            try:
                for index, fact in enumerate(facts):
                    if fact.type not in types:
                        continue
                    message = {k: v for k, v in fact.fields.items() if v is not None}
                    message[TYPE_KEY] = fact.type
                    message[INDEX_KEY] = index
                    message["sid"] = sid
                    try:
                        host.assert_fact(self.ruleset, message)
                    except _durable.MessageNotHandledException:
                        pass  # no rule matched: the normal case for a clean fact
                    except _durable.MessageObservedException as exc:
                        raise DuplicateFactError(f"事实已断言过：{fact.type}/{fact.key}") from exc
                    except Exception as exc:
                        raise EngineError(f"规则引擎无法处理事实 {fact.type}/{fact.key}：{exc}") from exc
                try:
                    state = host.get_state(self.ruleset, sid)
                except Exception:  # noqa: BLE001 - no state when nothing was asserted
                    state = {}
                if isinstance(state, dict) and state.get("exception"):
                    collector.errors.append(f"durable 状态中记录了异常：{state['exception']}")
            finally:
                _current = None
                try:
                    host.delete_state(self.ruleset, sid)
                except Exception:  # noqa: BLE001 - nothing to delete
                    pass
        if collector.errors:
            raise RuleActionError("规则动作执行出错：" + "；".join(collector.errors))
        out = collector.matches
        if rule_ids is not None:
            out = [m for m in out if m[0] in rule_ids]
        return sorted(set(out), key=lambda m: (m[0], m[1]))
