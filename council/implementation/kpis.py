"""KPIs of a quick win: the owning OPD defines an indicator and records one measurement per period.

Both writes go through the write recipe (:func:`council.proposals.unit.proposal_work`)
under the operations ``defineKpi`` and ``recordMeasurement`` of
:data:`council.auth.policy.OPERATIONS` (OPD officer or head of the owning
organisation, scope ``implementation:write``), in states the workflow marks
``progress`` (:data:`council.workflow.permissions.STATE_CONDITIONS`); each
appends an audit event to the proposal's chain (``kpi_defined``,
``kpi_measured``) and announces it on ``proposal:<id>``.

Achievement (:func:`achievement_percent`) is read, never stored.
"""

from __future__ import annotations

import math
from typing import Any

from council.auth.policy import OPERATIONS, authorize
from council.auth.principal import Principal
from council.errors import DomainError, ErrorCode, invalid, not_found
from council.implementation.models import NOTE_MAX, TITLE_MAX, UNIT_MAX, Kpi, KpiDirection, KpiMeasurement
from council.implementation.outcomes import proposal_of_kpi
from council.implementation.periods import clean_period, period_key
from council.proposals.unit import proposal_work
from council.texts import optional_text, required_text


def clean_number(value: object, field: str) -> float:
    """A finite number (GraphQL ``Float`` cannot carry NaN or infinity; other callers might).

    Raises:
        DomainError: INVALID_INPUT ``not_finite`` for NaN, infinities, booleans and non-numbers.
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise invalid("not_finite", field)
    return float(value)


def clean_direction(value: object, baseline: float, target: float) -> KpiDirection:
    """The direction, consistent with baseline and target: ``UP`` needs target > baseline, ``DOWN`` target < baseline.

    Raises:
        DomainError: INVALID_INPUT ``target_equals_baseline`` (field target) when they are equal,
            ``direction_mismatch`` (field direction) when the direction points the other way.
    """
    try:
        direction = KpiDirection(value)  # type: ignore[arg-type]  # a KpiDirection or its value, else refused
    except ValueError:
        raise invalid("bad_direction", "direction") from None
    if target == baseline:
        raise invalid("target_equals_baseline", "target")
    if (target > baseline) != (direction is KpiDirection.UP):
        raise invalid("direction_mismatch", "direction", direction=direction.name)
    return direction


def latest_measurement(measurements: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The measurement of the latest period (:func:`~council.implementation.periods.period_key`), or None."""
    return max(measurements, key=lambda m: period_key(m["period"]), default=None)


def achievement_percent(kpi: dict[str, Any], measurements: list[dict[str, Any]]) -> float | None:
    """How far the latest measurement has come from baseline to target, percent 0-100 (capped both ends).

    ``(latest - baseline) / (target - baseline) * 100``, clamped to 0..100: a
    ``DOWN`` KPI (target below baseline) counts a fall as progress, as the
    signs of both differences flip together. None without measurements.
    """
    latest = latest_measurement(measurements)
    if latest is None:
        return None
    baseline, target, value = float(kpi["baseline"]), float(kpi["target"]), float(latest["value"])
    return min(100.0, max(0.0, (value - baseline) / (target - baseline) * 100))


async def define_kpi(
    actor: Principal,
    proposal_id: int,
    *,
    name: object,
    unit: object,
    baseline: object,
    target: object,
    direction: object,
) -> int:
    """Define a KPI of the proposal; its id.

    ``name`` 1-255 characters, unique in the proposal (compared without case);
    ``unit`` 1-64; ``baseline`` and ``target`` finite and different;
    ``direction`` (``KpiDirection``) the way from baseline to target.

    Raises:
        DomainError: UNAUTHENTICATED; FORBIDDEN (scope ``implementation:write``,
            role, owner); NOT_FOUND; INVALID_TRANSITION (state not ``progress``);
            INVALID_INPUT (blank, too_long, not_finite, target_equals_baseline,
            direction_mismatch); CONFLICT ``kpi_name_taken`` (field name).
    """
    async with proposal_work(actor, proposal_id, "defineKpi") as w:
        clean_name = required_text(name, "name", TITLE_MAX)
        clean_unit = required_text(unit, "unit", UNIT_MAX)
        low, high = clean_number(baseline, "baseline"), clean_number(target, "target")
        way = clean_direction(direction, low, high)
        names = await Kpi.filter(proposal_id=proposal_id).values_list("name", flat=True)
        if any(str(n).casefold() == clean_name.casefold() for n in names):
            raise DomainError(ErrorCode.CONFLICT, "kpi_name_taken", field="name", value=clean_name)
        kpi = await Kpi.create(
            proposal_id=proposal_id, name=clean_name, unit=clean_unit, baseline=low, target=high, direction=way
        )
        data = {"kpi": kpi.id, "name": clean_name, "unit": clean_unit, "baseline": low, "target": high}
        await w.record("kpi_defined", data=data | {"direction": way.value})
        w.announce("kpi_defined", kpi_id=kpi.id)
    return int(kpi.id)


async def record_measurement(actor: Principal, kpi_id: int, *, period: object, value: object, note: object = "") -> int:
    """Record the KPI's value for one period; the KPI's proposal id.

    One measurement per period: a second one for a period already measured
    is refused (CONFLICT ``measurement_exists``, field period), never
    silently replaced, so that the audit chain holds every value once.

    Raises:
        DomainError: UNAUTHENTICATED; FORBIDDEN (scope, role, owner); NOT_FOUND
            (no such KPI, or its proposal is not readable); INVALID_TRANSITION;
            INVALID_INPUT (bad_period, not_finite, too_long); CONFLICT.
    """
    authorize(actor, OPERATIONS["recordMeasurement"])
    proposal_id = await proposal_of_kpi(kpi_id)
    if proposal_id is None:
        raise not_found("kpi", "kpiId")
    try:
        async with proposal_work(actor, proposal_id, "recordMeasurement") as w:
            clean = clean_period(period)
            number = clean_number(value, "value")
            text = optional_text(note, "note", NOTE_MAX)
            if await KpiMeasurement.filter(kpi_id=kpi_id, period=clean).exists():
                raise DomainError(ErrorCode.CONFLICT, "measurement_exists", field="period", period=clean)
            row = await KpiMeasurement.create(
                kpi_id=kpi_id, period=clean, value=number, note=text, author_id=actor.member_id
            )
            data = {"kpi": kpi_id, "measurement": row.id, "period": clean, "value": number}
            await w.record("kpi_measured", comment=text, data=data)
            w.announce("kpi_measured", kpi_id=kpi_id)
    except DomainError as exc:
        if exc.code is ErrorCode.NOT_FOUND:  # the proposal exists but is hidden: so is its KPI
            raise not_found("kpi", "kpiId") from None
        raise
    return proposal_id
