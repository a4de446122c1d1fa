"""The only module that talks to durable-rules.

durable-rules' matching runs in its C core (``durable_rules_engine``); its Python layer adds a
``Host`` with background timer threads, action closures and promise chains. Measured on this kind
of machine (see ``design/DURABLE_RULES.md`` in the project's shared notes), that layer is where
things go wrong and where the time goes:

* the host's timer threads sometimes run an action off the caller's thread, so a synchronous call
  returns ``None``, and hosts are never freed;
* exceptions inside actions are swallowed into the session state;
* about three quarters of the cost of a fired rule is the Python layer's JSON round trips.

So this module drives the C core directly: it creates the ruleset, asserts a batch of facts, and
drains the queue of rules the core matched (``start_action_for_state`` /
``complete_and_start_action``), recording each as a :class:`Firing`. No Python action ever runs
inside the engine, so none can fail silently, and no thread is ever started. The remaining hazards
are handled here too:

* a session whose first message matched no rule can segfault on ``delete_state``: every session
  opens with a fact that a rule always matches;
* a ruleset holds at most 1024 live sessions, and identical facts in a session collide: one short
  session per evaluation, deleted in ``finally``, with a unique id on every fact;
* the session state is itself a fact: every condition tests a ``kind`` the state never has;
* the core compares numbers as doubles and misreads some float spellings: conditions and facts
  carry whole numbers within +/-2**53 only;
* a fact no rule matches makes the whole batch fail: :class:`UnmatchedFacts` names the facts.

Evaluation is synchronous and deterministic: every matched rule is recorded, in the caller's
thread, when :meth:`Session.assert_facts` returns.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import attrs
import durable_rules_engine as _core

from probation_rules.errors import EngineError, Problem

__all__ = ["EXACT", "KIND", "Firing", "RuleEngine", "Session", "UnmatchedFacts"]

KIND = "kind"
_OPEN = "$open"
EXACT = 2**53
"""The largest whole number the core compares exactly (it compares numbers as doubles)."""
_OK, _NOT_HANDLED = 0, 1
_encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode

Condition = Mapping[str, Any]


@attrs.frozen
class Firing:
    """One rule that fired, and the fact it fired on (the caller's mapping, when the core names a fact it was sent)."""

    rule: str
    fact: Mapping[str, Any]


class UnmatchedFacts(EngineError):
    """Facts that no rule matched; the caller knows which methodology table has the gap."""

    def __init__(self, facts: Sequence[Mapping[str, Any]]):
        self.facts = tuple(facts)
        super().__init__(Problem("", f"no rule matched {len(self.facts)} fact(s)", [dict(f) for f in self.facts]))


def _check_numbers(node: Any) -> None:
    """Refuse floats, booleans and huge integers: the core would compare them wrongly."""
    if isinstance(node, Mapping):
        for value in node.values():
            _check_numbers(value)
    elif isinstance(node, list):
        for value in node:
            _check_numbers(value)
    elif isinstance(node, (bool, float)):
        raise EngineError(Problem("", "conditions must compare whole numbers and strings only", node))
    elif isinstance(node, int) and abs(node) > EXACT:
        raise EngineError(Problem("", "numbers in conditions must lie within +/-2**53 (the engine compares them as doubles)", node))


class RuleEngine:
    """One compiled ruleset in durable-rules' C core; sessions on it are serialised by a lock."""

    def __init__(self, name: str, conditions: Mapping[str, Condition]):
        self.name = name
        if _OPEN in conditions:
            raise EngineError(Problem("", "rule name is reserved", _OPEN))
        definition = {_OPEN: {"all": [{"m": {KIND: _OPEN}}]}}
        definition.update({rule: {"all": [{"m": dict(condition)}]} for rule, condition in conditions.items()})
        _check_numbers(definition)
        self._lock = threading.Lock()
        self._sessions = itertools.count()
        try:
            self._handle: int | None = _core.create_ruleset(name, json.dumps(definition, ensure_ascii=False))
        except Exception as exc:  # the core raises a bare error for definitions it cannot parse
            raise EngineError(Problem("", f"durable-rules refused the compiled ruleset {name!r}: {exc}")) from exc

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A fresh durable-rules session for one evaluation, deleted afterwards."""
        with self._lock:
            handle = self._handle
            if handle is None:
                raise EngineError(Problem("", f"the rule engine {self.name!r} has been closed"))
            sid = f"s{next(self._sessions)}"
            session = Session(handle, sid)
            session.assert_facts([{KIND: _OPEN}], check=False)
            try:
                yield session
            finally:
                _core.delete_state(handle, sid)

    def close(self) -> None:
        """Free the ruleset's C memory; later sessions raise :class:`EngineError`."""
        with self._lock:
            if self._handle is not None:
                _core.delete_ruleset(self._handle)
                self._handle = None


class Session:
    """Facts asserted into one durable-rules session; returns the rules that fired."""

    def __init__(self, handle: int, sid: str):
        self._handle = handle
        self.sid = sid
        self._fact_ids = itertools.count(1)

    def assert_facts(self, facts: Sequence[Mapping[str, Any]], *, check: bool = True) -> list[Firing]:
        """Assert facts together; return every rule the core matched, in its order, opening rule excluded.

        Every value must be a string or a whole number within +/-2**53 (alone or in a list).
        ``check=False`` skips testing that, for a caller whose facts are so by construction
        (the rater builds them from ranks, counts, points and millionths it has bounded).
        Each :class:`Firing` carries the fact as the caller gave it; the session id and the fact
        id the core needs are added to what is sent, not to the caller's mapping.
        """
        return [Firing(rule, facts[i]) for rule, i in self._assert(facts, check) if rule != _OPEN]

    def matched(self, facts: Sequence[Mapping[str, Any]], *, check: bool = True) -> list[list[str]]:
        """:meth:`assert_facts`, answered per fact: the rules the core matched on each, in its order."""
        rules: list[list[str]] = [[] for _ in facts]
        for rule, i in self._assert(facts, check):
            if rule != _OPEN:
                rules[i].append(rule)
        return rules

    def _assert(self, facts: Sequence[Mapping[str, Any]], check: bool) -> list[tuple[str, int]]:
        if not facts:
            return []
        sid, ids = self.sid, self._fact_ids
        sent: dict[str, int] = {}
        parts = []
        for i, fact in enumerate(facts):
            if check:
                _check_fact(fact)
            fact_id = f"{sid}.{next(ids)}"
            sent[fact_id] = i
            parts.append(_stamped(fact, sid, fact_id))
        try:
            code, state = _core.assert_facts(self._handle, f"[{', '.join(parts)}]")
        except Exception as exc:
            raise EngineError(Problem("", f"durable-rules refused the facts: {exc}")) from exc
        if code == _NOT_HANDLED:
            raise UnmatchedFacts(self._unmatched(facts))
        if code != _OK:
            raise EngineError(Problem("", f"durable-rules answered code {code} for a batch of facts", [dict(f) for f in facts]))
        return _drain(self._handle, state, sent)

    def _unmatched(self, facts: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """Which facts matched nothing: tried one at a time in throwaway sessions (error path only)."""
        missing: list[Mapping[str, Any]] = []
        for i, fact in enumerate(facts):
            sid = f"{self.sid}.probe{i}"
            code, state = _core.assert_facts(self._handle, json.dumps([{KIND: _OPEN, "sid": sid, "id": f"{sid}.0"}]))
            _drain(self._handle, state, {f"{sid}.0": 0})
            try:
                code, state = _core.assert_facts(self._handle, json.dumps([{**fact, "sid": sid, "id": f"{sid}.1"}], ensure_ascii=False))
                if code == _NOT_HANDLED:
                    missing.append(fact)
                else:
                    _drain(self._handle, state, {f"{sid}.1": 0})
            finally:
                _core.delete_state(self._handle, sid)
        return missing


_BODY_LIMIT = 16384
_bodies: dict[tuple[tuple[str, Any], ...], str] = {}
"""JSON of facts already sent, without the closing brace: across a population the same facts recur."""


def _stamped(fact: Mapping[str, Any], sid: str, fact_id: str) -> str:
    """The fact's JSON with the session id and (last, where :func:`_drain` finds it) the fact id."""
    if "sid" in fact or "id" in fact or not fact:
        return _encode({**fact, "sid": sid, "id": fact_id})
    try:
        key = tuple(fact.items())
        body = _bodies.get(key)
    except TypeError:  # a list among the values: not worth keeping
        key, body = None, None
    if body is None:
        body = _encode(fact)[:-1]
        if key is not None:
            if len(_bodies) >= _BODY_LIMIT:
                _bodies.clear()
            _bodies[key] = body
    return f'{body}, "sid": "{sid}", "id": "{fact_id}"}}'


def _check_fact(fact: Mapping[str, Any]) -> None:
    """Refuse what the core would compare wrongly: only strings, and whole numbers within +/-2**53 (alone or in lists)."""
    for value in fact.values():
        kind = type(value)
        if kind is str or (kind is int and -EXACT <= value <= EXACT):
            continue
        if kind is list and all(type(v) is int and -EXACT <= v <= EXACT for v in value):
            continue
        raise EngineError(Problem("", "a fact may hold only strings and whole numbers within +/-2**53 (the engine compares numbers as doubles)", dict(fact)))


def _drain(handle: int, state: int, sent: Mapping[str, int]) -> list[tuple[str, int]]:
    """Take every matched rule off the core's action queue for this session: (rule, fact's position).

    The core answers each match as ``{"<rule>":{"m":<the fact's JSON as sent>}}``. Decoding that
    JSON again would only rebuild a fact we hold (``sent``: position by the id we stamped), so the
    rule name and the fact id (stamped last) are read off the message's ends; a message of any
    other shape (a rule name that needed escaping, a fact that did not come back as sent) is
    decoded in full.
    """
    matches = []
    pending = _core.start_action_for_state(handle, state)
    message = pending[1] if pending else None
    while message:
        end = message.find('":{"m":{')
        start = message.rfind(', "id": "') + 9
        i = sent.get(message[start:-4]) if end > 1 and start > 8 and message[:2] == '{"' and message[-4:] == '"}}}' else None
        rule = message[2:end]
        if i is not None and "\\" not in rule:
            matches.append((rule, i))
        else:
            for rule, matched in json.loads(message).items():
                i = sent.get(str(matched["m"].get("id")))
                if i is None:
                    raise EngineError(Problem("", f"durable-rules matched rule {rule!r} on a fact that was not asserted with this batch", matched["m"]))
                matches.append((rule, i))
        message = _core.complete_and_start_action(handle, state)
    return matches
