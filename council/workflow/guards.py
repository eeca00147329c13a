"""Guards: named conditions a transition's ``guards`` list refers to.

A guard is a pure function of :class:`ProposalFacts` (a snapshot the service
or a DataLoader assembles) and its parameters from the workflow file. It
returns None when it passes, or a :class:`GuardFailure` with the values its
message needs. Being pure, the same guard decides both a transition (the
engine) and ``availableTransitions`` (the API); and each guard has one message,
``guard.<name>`` of :mod:`council.i18n`, which both the engine's GUARD_FAILED
refusal and ``Proposal.blockedTransitions`` render.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from council.workflow.definition import exceeds


@dataclass(frozen=True, slots=True)
class ReviewFact:
    """A review of the current round: who gave it and whether from a university."""

    reviewer_id: int
    from_university: bool
    recommendation: str


@dataclass(frozen=True, slots=True)
class BallotFact:
    """The open ballot's numbers and rules, as copied in when it opened.

    ``threshold_of`` is ``yes_no`` or ``cast`` (see :class:`~council.workflow.definition.VoteRule`);
    ``expired`` says the ballot's last deadline has passed (its window, and
    the one extension when the rule says ``on_no_quorum: extend``).
    """

    eligible: int
    quorum_required: int
    threshold: float
    yes: int
    no: int
    abstain: int
    threshold_of: str = "yes_no"
    expired: bool = False

    @property
    def voted(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def threshold_base(self) -> int:
        """What the threshold is a share of: yes + no, or every vote cast."""
        return self.voted if self.threshold_of == "cast" else self.yes + self.no


@dataclass(frozen=True, slots=True)
class ProposalFacts:
    """What guards may look at: a proposal's state and what belongs to its current round.

    ``progress`` is the progress roll-up, percent 0-100 or None
    (:func:`council.implementation.queries.progress_of`: the weighted share of
    done milestones, else the latest report's percent);
    ``plan_programme_id`` the master plan programme it links to, or None.
    """

    proposal_id: int
    state: str
    organization_id: int
    reviews: tuple[ReviewFact, ...] = ()
    ballot: BallotFact | None = None
    progress: int | None = None
    plan_programme_id: int | None = None


@dataclass(frozen=True, slots=True)
class GuardFailure:
    """Why a guard did not pass: the guard's name and the parameters of its message.

    ``params`` fill the placeholders of :attr:`key` (numbers as ``int``).
    """

    guard: str
    params: dict[str, Any]

    @property
    def key(self) -> str:
        """The guard's one message in :data:`council.i18n.MESSAGES`: ``guard.`` + its name."""
        return f"guard.{self.guard}"


GuardFn = Callable[..., GuardFailure | None]


@dataclass(frozen=True, slots=True)
class _Guard:
    fn: GuardFn
    params: dict[str, tuple[type, Any, Callable[[Any], bool]]]


GUARDS: dict[str, _Guard] = {}


class GuardParamError(ValueError):
    """A guard parameter in a workflow file is unknown or out of range."""


def guard(name: str, **params: tuple[type, Any, Callable[[Any], bool]]) -> Callable[[GuardFn], GuardFn]:
    """Register ``fn`` as guard ``name``; ``params`` maps each parameter to (type, default, check)."""

    def register(fn: GuardFn) -> GuardFn:
        GUARDS[name] = _Guard(fn, params)
        return fn

    return register


def check_params(name: str, given: dict[str, Any]) -> dict[str, Any]:
    """Validate and complete the parameters of guard ``name`` (defaults filled in).

    Raises:
        GuardParamError: unknown parameter, wrong type or out of range.
    """
    spec = GUARDS[name].params
    unknown = set(given) - set(spec)
    if unknown:
        raise GuardParamError(f"unknown parameter(s) {sorted(unknown)}; known: {sorted(spec) or 'none'}")
    result = {}
    for key, (typ, default, check) in spec.items():
        value = given.get(key, default)
        if isinstance(value, bool) or not isinstance(value, typ) or not check(value):
            raise GuardParamError(f"parameter {key!r} has a bad value {value!r}")
        result[key] = value
    return result


def evaluate(name: str, params: dict[str, Any], facts: ProposalFacts) -> GuardFailure | None:
    """Run guard ``name`` on ``facts``; None when it passes."""
    return GUARDS[name].fn(facts, **params)


def _non_negative(v: int) -> bool:
    return v >= 0


@guard("min_reviews", count=(int, 2, _non_negative), university=(int, 1, _non_negative))
def min_reviews(facts: ProposalFacts, count: int, university: int) -> GuardFailure | None:
    """At least ``count`` reviews in the current round, ``university`` of them from universities."""
    have = len(facts.reviews)
    have_university = sum(1 for r in facts.reviews if r.from_university)
    if have >= count and have_university >= university:
        return None
    return GuardFailure(
        "min_reviews",
        {"count": count, "university": university, "have": have, "have_university": have_university},
    )


@guard("quorum_met")
def quorum_met(facts: ProposalFacts) -> GuardFailure | None:
    """The open ballot has at least its required number of votes (abstentions count)."""
    b = facts.ballot
    if b is not None and b.voted >= b.quorum_required:
        return None
    return GuardFailure(
        "quorum_met",
        {"voted": b.voted if b else 0, "required": b.quorum_required if b else 0},
    )


@guard("majority_yes")
def majority_yes(facts: ProposalFacts) -> GuardFailure | None:
    """Yes votes are more than the ballot's threshold share of yes + no (or of all votes cast)."""
    b = facts.ballot
    if b is not None and b.threshold_base > 0 and exceeds(b.yes, b.threshold, b.threshold_base):
        return None
    return GuardFailure("majority_yes", {"yes": b.yes if b else 0, "no": b.no if b else 0})


@guard("deadline_passed")
def deadline_passed(facts: ProposalFacts) -> GuardFailure | None:
    """The open ballot's last deadline has passed (the way out for a ballot that never reached quorum)."""
    b = facts.ballot
    if b is not None and b.expired:
        return None
    return GuardFailure("deadline_passed", {})


@guard("progress_complete")
def progress_complete(facts: ProposalFacts) -> GuardFailure | None:
    """The progress roll-up is 100 percent: every milestone done, or (without milestones) a report of 100."""
    if facts.progress == 100:
        return None
    return GuardFailure("progress_complete", {"percent": facts.progress or 0})


@guard("has_plan_programme")
def has_plan_programme(facts: ProposalFacts) -> GuardFailure | None:
    """The proposal links to an acceleration programme of the master plan (``Proposal.planProgramme``, issue 12).

    Not used by the shipped workflows; a city's workflow file may require it,
    e.g. on ``submit``: ``guards: [has_plan_programme]``.
    """
    if facts.plan_programme_id is not None:
        return None
    return GuardFailure("has_plan_programme", {})
