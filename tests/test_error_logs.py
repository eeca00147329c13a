"""What the server logs about errors, through HTTP (issue 9, item 8).

A client's mistake (bad query, bad variable, bad cursor or global ID, a
mutation refused with a UserError) is logged at INFO, one line, no
traceback. Only an unexpected error is logged at ERROR: exactly once, with
its traceback and the reference id the response carries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from conftest import GQL

import council.api.proposals


def quiet(caplog: pytest.LogCaptureFixture) -> None:
    """No record at WARNING or above, and none with a traceback."""
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert loud == [], [(r.name, r.levelname, r.getMessage()) for r in loud]


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ proposals { totalCount ", {}, None),  # syntax
        ("{ proposals { noSuchField } }", {}, None),  # validation
        ("query($n: Int) { proposals(first: $n) { totalCount } }", {"n": "many"}, None),  # variable coercion
        ('{ proposals(after: "not-a-cursor") { totalCount } }', {}, "INVALID_INPUT"),  # bad cursor
        ('{ proposals(filter: {organizationId: "bad"}) { totalCount } }', {}, "INVALID_INPUT"),  # bad global id
    ],
)
async def test_a_client_error_is_logged_at_info_without_traceback(
    gql: GQL,
    caplog: pytest.LogCaptureFixture,
    query: str,
    variables: dict[str, Any],
    code: str | None,
) -> None:
    caplog.set_level(logging.INFO)
    body = await gql(query, variables)
    assert body["errors"], body
    if code is not None:
        assert body["errors"][0]["extensions"]["code"] == code
    quiet(caplog)
    assert [
        r
        for r in caplog.records
        if r.name == "council.api" and r.levelno == logging.INFO and "client error" in r.getMessage()
    ], caplog.text


async def test_a_bad_node_id_and_a_refused_mutation_log_no_error(
    gql: GQL,
    token: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    assert (await gql('{ node(id: "bm90LWFuLWlk") { id } }'))["data"] == {"node": None}
    body = await gql(
        'mutation { createProposal(input: {title: "", summary: "x", pillar: "smart_governance", budget: "1"}) '
        "{ proposal { id } errors { code field } } }",
        token=await token("opd.kominfo"),
    )
    assert body["data"]["createProposal"]["errors"][0]["code"] == "INVALID_INPUT", body
    quiet(caplog)


async def test_an_unexpected_error_is_logged_once_with_traceback_and_reference(
    gql: GQL,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the database caught fire")

    monkeypatch.setattr(council.api.proposals, "proposal_page", broken)
    caplog.set_level(logging.INFO)
    body = await gql("{ proposals { totalCount } }")
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "INTERNAL"
    ref = error["extensions"]["reference"]
    assert "fire" not in error["message"] and ref in error["message"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, caplog.text
    (record,) = errors
    assert ref in record.getMessage()
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)
    assert [r for r in caplog.records if r.exc_info] == [record]
