"""KPIs of a quick win over GraphQL (issue 13): defineKpi, recordMeasurement, Kpi.achievementPercent.

The owning OPD defines KPIs and records one measurement per period while the
proposal is in implementation; achievement is the share of the way from
baseline to target the latest period's value covers, capped to 0-100.
Periods order by their last day, then their first (2018-Q3 < 2018 < 2018-Q4 < 2018-12).
"""

from __future__ import annotations

from typing import Any

import pytest
from paths import OTHER_OPD_OFFICER, OWNER_HEAD, Paths, representative

from council.implementation.models import Kpi, KpiMeasurement

ERRORS = "errors { code field message }"
KPI_FIELDS = (
    "id name unit baseline target direction achievementPercent latest { period value } "
    "measurements { period value note recordedAt }"
)
DEFINE = f"""
mutation Define($input: DefineKpiInput!) {{
  defineKpi(input: $input) {{ kpi {{ {KPI_FIELDS} }} proposal {{ id kpis {{ name }} history {{ action }} }} {ERRORS} }}
}}"""
MEASURE = f"""
mutation Measure($input: RecordMeasurementInput!) {{
  recordMeasurement(input: $input) {{ kpi {{ {KPI_FIELDS} }} proposal {{ id }} {ERRORS} }}
}}"""


async def define(p: Paths, pid: str, as_: str | None = None, **fields: Any) -> dict[str, Any]:
    """The defineKpi payload (errors not checked); defaults: visitors UP from 100 to 300."""
    values = {"name": "Pengunjung", "unit": "orang/bulan", "baseline": 100.0, "target": 300.0, "direction": "UP"}
    return await p.mutate(DEFINE, "defineKpi", {"proposalId": pid, **(values | fields)}, as_ or p.officer)


async def measure(p: Paths, kpi: str, period: str, value: float, as_: str | None = None, **more: Any) -> dict[str, Any]:
    """The recordMeasurement payload (errors not checked)."""
    input = {"kpiId": kpi, "period": period, "value": value, **more}
    return await p.mutate(MEASURE, "recordMeasurement", input, as_ or p.officer)


def code_of(payload: dict[str, Any]) -> tuple[str, str | None]:
    assert payload["errors"], payload
    return payload["errors"][0]["code"], payload["errors"][0]["field"]


async def test_achievement_up_follows_the_latest_period(p: Paths) -> None:
    pid = await p.at("implementation")
    made = p.ok(await define(p, pid), "defineKpi")
    kpi = made["kpi"]
    assert kpi["achievementPercent"] is None and kpi["latest"] is None and kpi["measurements"] == []
    assert [e["action"] for e in made["proposal"]["history"]][-1] == "kpi_defined"
    assert made["proposal"]["kpis"] == [{"name": "Pengunjung"}]

    # recorded out of order; 2018-12 is the latest period (ends 31 Dec, starts after 2018 and 2018-Q4)
    for period, value in (("2018-12", 250.0), ("2018-Q3", 120.0), ("2018", 200.0), ("2018-Q4", 210.0)):
        last = p.ok(await measure(p, kpi["id"], period, value, note=f"Catatan {period}"), "recordMeasurement")
    got = last["kpi"]
    assert [m["period"] for m in got["measurements"]] == ["2018-Q3", "2018", "2018-Q4", "2018-12"]
    assert got["latest"] == {"period": "2018-12", "value": 250.0}
    assert got["achievementPercent"] == pytest.approx(75.0)  # (250 - 100) / (300 - 100)

    p.ok(await measure(p, kpi["id"], "2019-01", 900.0), "recordMeasurement")  # beyond the target: capped
    assert (await define_read(p, pid))[0]["achievementPercent"] == 100.0


async def define_read(p: Paths, pid: str, as_: str | None = None) -> list[dict[str, Any]]:
    found = await p.read(pid, f"kpis {{ {KPI_FIELDS} }}", as_ or p.officer)
    assert found is not None
    return list(found["kpis"])


async def test_achievement_down_and_capped_below(p: Paths) -> None:
    pid = await p.at("implementation")
    kpi = p.ok(
        await define(p, pid, name="Waktu tunggu", unit="menit", baseline=60.0, target=20.0, direction="DOWN"),
        "defineKpi",
    )["kpi"]
    got = p.ok(await measure(p, kpi["id"], "2019-Q1", 50.0), "recordMeasurement")["kpi"]
    assert got["achievementPercent"] == pytest.approx(25.0)  # (50 - 60) / (20 - 60)
    got = p.ok(await measure(p, kpi["id"], "2019-Q2", 75.0), "recordMeasurement")["kpi"]
    assert got["achievementPercent"] == 0.0  # worse than the baseline: capped at 0
    # anyone reads a public quick win's KPIs
    public = await p.read(pid, "kpis { name achievementPercent }", None)
    assert public == {"kpis": [{"name": "Waktu tunggu", "achievementPercent": 0.0}]}


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"name": "  "}, "INVALID_INPUT", "name"),
        ({"name": "x" * 256}, "INVALID_INPUT", "name"),
        ({"unit": ""}, "INVALID_INPUT", "unit"),
        ({"unit": "u" * 65}, "INVALID_INPUT", "unit"),
        ({"target": 100.0}, "INVALID_INPUT", "target"),
        ({"direction": "DOWN"}, "INVALID_INPUT", "direction"),
        ({"baseline": 5.0, "target": 1.0, "direction": "UP"}, "INVALID_INPUT", "direction"),
        ({"name": "pengunjung"}, "CONFLICT", "name"),
    ],
)
async def test_define_refuses_bad_input(p: Paths, fields: dict[str, Any], code: str, field: str) -> None:
    pid = await p.at("implementation")
    p.ok(await define(p, pid), "defineKpi")
    payload = await define(p, pid, **fields)
    assert code_of(payload) == (code, field)
    assert payload["kpi"] is None and await Kpi.all().count() == 1


async def test_bad_periods_duplicates_and_strangers_are_refused(p: Paths) -> None:
    pid = await p.at("implementation")
    kpi = p.ok(await define(p, pid, as_=OWNER_HEAD), "defineKpi by the head")["kpi"]["id"]
    for period in ("2018-13", "2018-00", "2018-Q5", "2018-Q0", "18", "2018-1", "2018/07", "1800", "Q3-2018", ""):
        assert code_of(await measure(p, kpi, period, 1.0)) == ("INVALID_INPUT", "period"), period
    p.ok(await measure(p, kpi, " 2018-07 ", 150.0), "recordMeasurement")
    assert code_of(await measure(p, kpi, "2018-07", 160.0)) == ("CONFLICT", "period")
    assert await KpiMeasurement.filter(period="2018-07").values_list("value", flat=True) == [150.0]

    # another OPD, the technical team and an anonymous caller may not define or measure
    team = representative("technical_team")
    assert code_of(await define(p, pid, as_=OTHER_OPD_OFFICER, name="Lain")) == ("FORBIDDEN", None)
    assert code_of(await measure(p, kpi, "2018-08", 1.0, as_=OTHER_OPD_OFFICER)) == ("FORBIDDEN", None)
    assert code_of(await measure(p, kpi, "2018-08", 1.0, as_=team))[0] == "FORBIDDEN"
    anonymous = await p.call(MEASURE, {"input": {"kpiId": kpi, "period": "2018-08", "value": 1.0}}, None)
    assert code_of(anonymous["recordMeasurement"])[0] == "UNAUTHENTICATED"
    # a token without implementation:write
    no_scope = await p.token(p.officer, scopes=["proposals:read", "proposals:write"])
    body = await p.gql(
        DEFINE,
        {"input": {"proposalId": pid, "name": "X", "unit": "u", "baseline": 0.0, "target": 1.0, "direction": "UP"}},
        token=no_scope,
    )
    assert code_of(body["data"]["defineKpi"]) == ("FORBIDDEN", None)
    unknown = "S3BpOjk5OTk5"  # Kpi:99999
    assert code_of(await measure(p, unknown, "2018-08", 1.0)) == ("NOT_FOUND", "kpiId")
    assert await KpiMeasurement.all().count() == 1 and await Kpi.all().count() == 1


async def test_only_in_implementation(p: Paths) -> None:
    draft = await p.new_proposal()
    assert code_of(await define(p, draft)) == ("INVALID_TRANSITION", None)
    pid = await p.at("implementation")
    kpi = p.ok(await define(p, pid), "defineKpi")["kpi"]["id"]
    await p.report(pid, 100)
    await p.drive(pid, "completed")
    assert code_of(await measure(p, kpi, "2019", 300.0)) == ("INVALID_TRANSITION", None)
    assert code_of(await define(p, pid, name="Baru")) == ("INVALID_TRANSITION", None)
