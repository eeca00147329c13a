"""The one rule of an audit event's hash, and the one check of a chain: shared by the database and the file.

An event is written out as a *record*, a flat JSON object with these fields
(the lines of ``audit.jsonl``, :mod:`council.opendata`):

=============  ==================================================================
``chain``      the chain's kind: ``proposal``, ``commitment``, ``master_plan``
``chain_id``   the subject's id (integer)
``seq``        1, 2, ... within the chain
``at``         ISO 8601 UTC with microseconds: ``2026-12-01T17:23:40.123456+00:00``
``actor``      the actor's username then, or ``system``
``action``     ``transition``, ``vote_cast``, ``signed``, ...
``trigger``    the workflow trigger, or null
``from``       the state before, or null
``to``         the state after, or null
``comment``    text ('' when none)
``data``       a JSON object, the event's details
``prev``       the previous event's ``hash`` ('' for seq 1)
``hash``       SHA-256 (lowercase hex) of the hash input below
=============  ==================================================================

The hash input is the record without ``chain``, ``chain_id`` and ``hash``,
with the chain named instead by ``"proposal": <id>`` for kind ``proposal``
(the body hashed before chains had kinds) or by ``"chain": <kind>, "id": <id>``
for any other kind; serialised canonically (:func:`canonical`): keys sorted,
no whitespace, non-ASCII characters as themselves, UTF-8.

Nothing here touches a database: ``council audit verify --file`` runs this
module alone, and :func:`council.audit.service.verify_chains` feeds it the
rows of the ``audit_event`` table, so both check by the same code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from council.audit.chains import PROPOSAL, Chain

RECORD_FIELDS = (
    "chain",
    "chain_id",
    "seq",
    "at",
    "actor",
    "action",
    "trigger",
    "from",
    "to",
    "comment",
    "data",
    "prev",
    "hash",
)
"""The fields of a record, in the order a line of ``audit.jsonl`` writes them (the hash does not depend on it)."""


def canonical(value: Any) -> str:
    """The canonical JSON of ``value``: sorted keys, ``,`` and ``:`` without spaces, non-ASCII kept (``ensure_ascii``
    off). Numbers as Python writes them (integers plainly, floats in their shortest round-trip form)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def iso(at: datetime) -> str:
    """The ``at`` of a record: UTC, ISO 8601 with microseconds (``2026-12-01T17:23:40.000000+00:00``)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def record_hash(record: dict[str, Any]) -> str:
    """SHA-256 (hex) of the record's hash input (module docstring); its ``hash`` field is not read.

    Raises:
        KeyError: a field of :data:`RECORD_FIELDS` other than ``hash`` is missing.
    """
    kind, chain_id = record["chain"], record["chain_id"]
    body: dict[str, Any] = {"proposal": chain_id} if kind == PROPOSAL else {"chain": kind, "id": chain_id}
    for name in RECORD_FIELDS[2:-1]:
        body[name] = record[name]
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def make_record(
    *,
    chain: Chain,
    seq: int,
    at: datetime,
    actor_name: str,
    action: str,
    trigger: str | None,
    from_state: str | None,
    to_state: str | None,
    comment: str,
    data: dict[str, Any],
    prev_hash: str,
    hash: str = "",
) -> dict[str, Any]:
    """The record of one event (the columns of ``audit_event`` under the record's names); ``hash`` as given."""
    return {
        "chain": chain.kind,
        "chain_id": chain.id,
        "seq": seq,
        "at": iso(at),
        "actor": actor_name,
        "action": action,
        "trigger": trigger,
        "from": from_state,
        "to": to_state,
        "comment": comment,
        "data": data,
        "prev": prev_hash,
        "hash": hash,
    }


@dataclass(frozen=True, slots=True)
class ChainFault:
    """A broken link: the chain (None when the line could not be read), the event's seq and what is wrong.

    ``line`` is the 1-based line of ``audit.jsonl`` (0 for the database); it is not compared.
    """

    chain: Chain | None
    seq: int
    reason: str
    line: int = field(default=0, compare=False)

    def describe(self) -> str:
        """One line for a person: ``proposal 7 event 3 (line 12): hash does not match the content``."""
        where = f"{self.chain.kind} {self.chain.id} event {self.seq}" if self.chain else "unreadable event"
        return where + (f" (line {self.line})" if self.line else "") + f": {self.reason}"


@dataclass(slots=True)
class ChainCheck:
    """What :func:`check_records` found: chains and events checked, the faults in the order met."""

    chains: int = 0
    events: int = 0
    faults: list[ChainFault] = field(default_factory=list)


def check_records(records: Iterable[tuple[int, dict[str, Any] | str]]) -> ChainCheck:
    """Check records given as ``(line, record)`` pairs, each chain's events in ``seq`` order (chains may interleave).

    For each event: its ``seq`` follows the chain's last (1 for the first),
    its ``prev`` is that event's ``hash`` ('' for the first), and its ``hash``
    is :func:`record_hash`. A record given as a string is a line that could not
    be read; its text is the reason. The faults name the chain, seq and line.
    """
    result = ChainCheck()
    last: dict[Chain, tuple[int, str]] = {}
    for line, record in records:
        if isinstance(record, str):
            result.faults.append(ChainFault(None, 0, record, line))
            continue
        result.events += 1
        chain = Chain(record["chain"], record["chain_id"])
        seq = record["seq"]
        last_seq, last_hash = last.get(chain, (0, ""))
        if seq != last_seq + 1:
            result.faults.append(ChainFault(chain, seq, f"expected seq {last_seq + 1}", line))
        if record["prev"] != last_hash:
            result.faults.append(ChainFault(chain, seq, "prev_hash does not match the previous event", line))
        if record_hash(record) != record["hash"]:
            result.faults.append(ChainFault(chain, seq, "hash does not match the content", line))
        last[chain] = (seq, record["hash"])
    result.chains = len(last)
    return result


_TYPES: dict[str, tuple[type, ...]] = {
    "chain": (str,),
    "chain_id": (int,),
    "seq": (int,),
    "at": (str,),
    "actor": (str,),
    "action": (str,),
    "trigger": (str, type(None)),
    "from": (str, type(None)),
    "to": (str, type(None)),
    "comment": (str,),
    "data": (dict,),
    "prev": (str,),
    "hash": (str,),
}


def parse_line(text: str) -> dict[str, Any] | str:
    """One line of ``audit.jsonl`` as a record, or why it is not one (a string)."""
    try:
        record = json.loads(text)
    except ValueError as exc:
        return f"not valid JSON ({exc})"
    if not isinstance(record, dict):
        return "not a JSON object"
    for name, types in _TYPES.items():
        if name not in record:
            return f"no field {name!r}"
        value = record[name]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            return f"field {name!r} has the wrong type"
    return record


def read_lines(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """The records of ``audit.jsonl``'s lines with their 1-based numbers (blank lines skipped)."""
    for number, text in enumerate(lines, start=1):
        if text.strip():
            yield number, parse_line(text)
