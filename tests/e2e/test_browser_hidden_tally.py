"""A ballot whose workflow hides the tally, in a real browser (issue 5: "the tally updating live through the
voteTally subscription (unless the workflow hides it)").

This module runs its own ``council serve`` (module scope, beside the
session's ``server``) on a copy of ``workflows/`` in which the
``quick_win_approval`` vote has ``hide_tally: true``: until the ballot closes
nobody sees the counts, only how many have voted, and each member their own
vote. On a phone (360x740) in Bahasa Indonesia, with an axe check (zero
serious or critical violations) of each state of the page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import expect

from e2e.harness import (
    OUTPUT,
    SLOW,
    Api,
    Server,
    cast_vote,
    fits_a_phone,
    no_serious_violations,
    on_the_agenda,
    open_signed_in,
    proposal_path,
    read_ballot,
    running_server,
    transition,
    workflows_copy,
)

HIDDEN = "Perolehan suara dirahasiakan sampai pemungutan suara ditutup."  # t.ballot.hidden (web/src/i18n/id.ts)


def _hide_tally(name: str, text: str) -> str:
    if not name.startswith("quick-win"):  # every version: new proposals start on the latest
        return text
    assert text.count("      hide_tally: false\n") == 1, f"workflows/{name}: its vote's hide_tally moved"
    return text.replace("      hide_tally: false\n", "      hide_tally: true\n")


@pytest.fixture(scope="module")
def hidden_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``council serve`` as the session's ``server``, but with quick-win's vote hiding its tally."""
    home = tmp_path_factory.mktemp("e2e-hidden-tally")
    workflows = workflows_copy(home / "workflows", _hide_tally)
    with running_server(home, extra_env={"COUNCIL_WORKFLOWS_DIR": str(workflows)}, name="server-hidden-tally") as srv:
        yield srv


@pytest.fixture(scope="module")
def hidden_api(hidden_server: Server) -> Api:
    """GraphQL as any seeded member, against :func:`hidden_server`."""
    return Api(hidden_server)


async def _no_counts(page: Any) -> None:
    for choice in ("yes", "no", "abstain"):
        await expect(page.get_by_test_id(f"tally-{choice}")).to_have_count(0)
    await expect(page.get_by_test_id("tally").get_by_text(HIDDEN, exact=True)).to_be_visible()


async def test_a_hidden_tally_shows_only_the_votes_cast_until_the_chair_closes_the_vote(
    hidden_server: Server, phone: Any, axe: Any, hidden_api: Api
) -> None:
    api = hidden_api
    title = f"Lelang aset daring {uuid.uuid4().hex[:6]}"
    pid = await on_the_agenda(api, title, "980000000")
    opened = (await read_ballot(api, "kepala.bappeda", pid))["ballot"]
    assert opened["hideTally"] is True, opened
    assert opened["tally"] is None and opened["votesCast"] == 0 and opened["eligibleCount"] == 6, opened
    assert opened["quorum"] == 4, opened

    # A council member opens the proposal: no counts, the hidden-tally line, 0 of 6.
    await open_signed_in(hidden_server, phone, proposal_path(pid), "kepala.bappeda")
    await expect(phone.get_by_role("heading", level=1, name=title)).to_be_visible()
    await expect(phone.get_by_test_id("votes-cast")).to_have_text("0 dari 6 anggota telah memilih")
    await _no_counts(phone)
    await expect(phone.get_by_test_id("my-vote")).to_have_text("Anda belum memilih.")
    await no_serious_violations(axe, phone)

    # They vote Ya: their own vote is shown and counted, the counts stay hidden.
    yes = phone.get_by_role("button", name="Ya", exact=True)
    await yes.click()
    await expect(yes).to_have_attribute("aria-pressed", "true")
    await expect(phone.get_by_test_id("my-vote")).to_have_text("Suara Anda: Ya")
    await expect(phone.get_by_test_id("votes-cast")).to_have_text("1 dari 6 anggota telah memilih")
    await _no_counts(phone)
    mine = (await read_ballot(api, "kepala.bappeda", pid))["ballot"]
    assert mine["tally"] is None and mine["myVote"] == "YES" and mine["votesCast"] == 1, mine

    # Another member votes through the API: the votes cast move live (no reload), still without counts.
    await phone.evaluate("() => { window.__sameDocument = true; }")
    answer = await cast_vote(api, "sekda", pid, "NO")
    assert answer["ballot"] == {"tally": None, "myVote": "NO"}, answer
    await expect(phone.get_by_test_id("votes-cast")).to_have_text("2 dari 6 anggota telah memilih", timeout=SLOW)
    await _no_counts(phone)
    await expect(phone.get_by_test_id("my-vote")).to_have_text("Suara Anda: Ya")
    assert await phone.evaluate("() => window.__sameDocument === true"), "the page was reloaded"
    await no_serious_violations(axe, phone)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    await phone.screenshot(path=str(OUTPUT / "test_browser_hidden_tally-open.png"), full_page=True)

    # Two more reach the quorum; the tally is still hidden from every member, the chair too.
    await cast_vote(api, "kepala.pupr", pid, "YES")
    await cast_vote(api, "rektor.unri", pid, "YES")
    await expect(phone.get_by_test_id("votes-cast")).to_have_text("4 dari 6 anggota telah memilih", timeout=SLOW)
    await _no_counts(phone)
    for member in ("kepala.bappeda", "walikota", "kepala.dlhk"):
        seen = (await read_ballot(api, member, pid))["ballot"]
        assert seen["tally"] is None and seen["votesCast"] == 4 and not seen["closed"], (member, seen)
    assert (await read_ballot(api, "walikota", pid))["ballot"]["myVote"] is None
    assert (await read_ballot(api, "rektor.unri", pid))["ballot"]["myVote"] == "YES"
    assert (
        await api(None, "query($id: ID!) { proposal(id: $id) { ballot { tally { yes } votesCast } } }", {"id": pid})
    )["proposal"]["ballot"] == {"tally": None, "votesCast": 4}

    # The chair closes the vote through the API: the page shows the result and the counts, live.
    closed = await transition(api, "walikota", pid, "close_vote")
    assert closed["proposal"]["state"] == "implementation", closed
    await expect(phone.get_by_test_id("ballot-result")).to_have_text("Hasil: Disetujui", timeout=SLOW)
    await expect(phone.get_by_text("Pemungutan suara telah ditutup.")).to_be_visible()
    await expect(phone.get_by_test_id("tally-yes")).to_have_text("3")
    await expect(phone.get_by_test_id("tally-no")).to_have_text("1")
    await expect(phone.get_by_test_id("tally-abstain")).to_have_text("0")
    await expect(phone.get_by_test_id("tally").get_by_text(HIDDEN)).to_have_count(0)
    await expect(phone.get_by_test_id("votes-cast")).to_have_text("4 dari 6 anggota telah memilih")
    await expect(phone.get_by_test_id("my-vote")).to_have_text("Suara Anda: Ya")
    await expect(phone.get_by_test_id("proposal-state")).to_have_text("Pelaksanaan", timeout=SLOW)
    await expect(phone.get_by_role("button", name="Ya", exact=True)).to_have_count(0)
    assert await phone.evaluate("() => window.__sameDocument === true"), "the page was reloaded"
    await no_serious_violations(axe, phone)
    await fits_a_phone(phone)

    done = await read_ballot(api, "kepala.bappeda", pid)
    assert done["state"] == "implementation", done
    assert done["ballot"]["closed"] and done["ballot"]["result"] == "APPROVED", done
    assert done["ballot"]["tally"] == {"yes": 3, "no": 1, "abstain": 0}, done
