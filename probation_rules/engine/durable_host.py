"""The only module that talks to durable-rules.

durable-rules 2.0.28 is used here against its grain, for reasons measured on this kind of machine
(see ``design/DURABLE_RULES.md`` in the project's shared notes):

* its ``Host`` starts timer threads that sometimes run an action off the caller's thread, so the
  synchronous call returns ``None``: ``_QuietHost`` never starts them;
* a session whose first message matched no rule can segfault on ``delete_state``: every session
  opens with a fact that a no-op rule always matches;
* exceptions inside actions are swallowed into the state: actions only append to a list, and the
  returned state is checked for ``exception`` after every call;
* a ruleset can hold 1024 live sessions and identical facts collide: one short session per
  evaluation, deleted in ``finally``, with a unique id on every fact;
* the session state is itself a fact: every condition tests a ``kind`` the state never has;
* ruleset names are global to a host: one private host per ruleset, named by content hash.

Evaluation is therefore synchronous and deterministic: every action has run, in the caller's
thread, when :meth:`Session.assert_facts` returns.
"""

from __future__ import annotations

import itertools
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import attrs

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import durable_rules_engine as _core
    from durable import engine as _durable

from probation_rules.errors import EngineError, Problem

__all__ = ["KIND", "Firing", "RuleEngine", "Session", "UnmatchedFacts"]

KIND = "kind"
_OPEN = "$open"
_EXACT = 2**53

Condition = Mapping[str, Any]


@attrs.frozen
class Firing:
    """One rule that fired, and the fact it fired on."""

    rule: str
    fact: Mapping[str, Any]


class UnmatchedFacts(EngineError):
    """Facts that no rule matched; the caller knows which methodology table has the gap."""

    def __init__(self, facts: Sequence[Mapping[str, Any]]):
        self.facts = tuple(facts)
        super().__init__(Problem("", f"no rule matched {len(self.facts)} fact(s)", [dict(f) for f in self.facts]))


class _QuietHost(_durable.Host):  # type: ignore[misc]
    """A host without the background dispatch threads (they lose results and never stop)."""

    def _run(self) -> None:
        return None


class RuleEngine:
    """One compiled ruleset on its own host; sessions on it are serialised by a lock."""

    def __init__(self, name: str, conditions: Mapping[str, Condition]):
        self.name = name
        self._firings: list[Firing] = []
        self._lock = threading.Lock()
        self._sessions = itertools.count()
        definition: dict[str, Any] = {_OPEN: {"all": [{"m": {KIND: _OPEN}}], "run": _noop}}
        for rule_name, condition in conditions.items():
            if rule_name == _OPEN:
                raise EngineError(Problem("", "rule name is reserved", rule_name))
            definition[rule_name] = {"all": [{"m": condition}], "run": self._recorder(rule_name)}
        self._check_numbers(definition)
        self._host = _QuietHost()
        try:
            self._host.register_rulesets({name: definition})
        except Exception as exc:  # durable-rules raises bare Exception for bad definitions
            raise EngineError(Problem("", f"durable-rules refused the compiled ruleset {name!r}: {exc}")) from exc
        self._closed = False

    def _recorder(self, rule_name: str) -> Any:
        firings = self._firings

        def record(c: Any) -> None:
            firings.append(Firing(rule_name, c.m._d))

        return record

    @staticmethod
    def _check_numbers(node: Any) -> None:
        """Refuse floats and booleans: the engine misreads some floats (1e-05) and 1 != 1.0 for it."""
        if isinstance(node, Mapping):
            for key, value in node.items():
                if key != "run":
                    RuleEngine._check_numbers(value)
        elif isinstance(node, list):
            for value in node:
                RuleEngine._check_numbers(value)
        elif isinstance(node, (bool, float)):
            raise EngineError(Problem("", "conditions must compare whole numbers and strings only", node))
        elif isinstance(node, int) and abs(node) > _EXACT:
            raise EngineError(Problem("", "numbers in conditions must lie within +/-2**53 (the engine compares them as doubles)", node))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A fresh durable-rules session for one evaluation, deleted afterwards."""
        if self._closed:
            raise EngineError(Problem("", f"the rule engine {self.name!r} has been closed"))
        with self._lock:
            sid = f"s{next(self._sessions)}"
            session = Session(self, sid)
            session.assert_facts([{KIND: _OPEN}])
            try:
                yield session
            finally:
                self._host.delete_state(self.name, sid)

    def close(self) -> None:
        """Free the C ruleset; the host has no threads, so nothing else lingers."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            ruleset = self._host._ruleset_directory.pop(self.name, None)
            if ruleset is not None:
                self._host._ruleset_list.remove(ruleset)
                _core.delete_ruleset(ruleset._handle)


class Session:
    """Facts asserted into one durable-rules session; returns the rules that fired."""

    def __init__(self, engine: RuleEngine, sid: str):
        self._engine = engine
        self.sid = sid
        self._fact_ids = itertools.count(1)

    def assert_facts(self, facts: Sequence[Mapping[str, Any]]) -> list[Firing]:
        """Assert facts together; every action has run when this returns."""
        stamped = [{**fact, "sid": self.sid, "id": f"{self.sid}.{next(self._fact_ids)}"} for fact in facts]
        for fact in stamped:
            for value in fact.values():
                if (isinstance(value, int) and abs(value) > _EXACT) or (isinstance(value, list) and any(abs(v) > _EXACT for v in value)):
                    raise EngineError(Problem("", "a fact holds a number beyond +/-2**53, which the engine cannot compare exactly", fact))
        if not stamped:
            return []
        engine = self._engine
        engine._firings.clear()
        try:
            state = engine._host.assert_facts(engine.name, stamped)
        except _durable.MessageNotHandledException:
            engine._firings.clear()
            raise UnmatchedFacts(self._unmatched(stamped)) from None
        except Exception as exc:
            raise EngineError(Problem("", f"durable-rules failed: {exc}")) from exc
        if not isinstance(state, Mapping):
            raise EngineError(Problem("", "durable-rules returned no state (an action ran off the calling thread)", state))
        if state.get("exception"):
            raise EngineError(Problem("", "a rule action failed inside durable-rules", str(state["exception"])[:200]))
        firings = list(engine._firings)
        engine._firings.clear()
        return firings

    def _unmatched(self, facts: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """Which facts matched nothing: tried one at a time in throwaway sessions (error path only)."""
        engine = self._engine
        missing: list[Mapping[str, Any]] = []
        for i, fact in enumerate(facts):
            sid = f"{self.sid}.probe{i}"
            engine._host.assert_facts(engine.name, [{KIND: _OPEN, "sid": sid, "id": f"{sid}.0"}])
            try:
                engine._host.assert_facts(engine.name, [{**fact, "sid": sid}])
            except _durable.MessageNotHandledException:
                missing.append({k: v for k, v in fact.items() if k not in ("sid", "id")})
            finally:
                engine._host.delete_state(engine.name, sid)
        engine._firings.clear()
        return missing


def _noop(c: Any) -> None:
    return None
