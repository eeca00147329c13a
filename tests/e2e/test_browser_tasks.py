""" "Tugas saya" (issue 15, point 7): every role's home is the member's tasks, counted per kind, kept current live.

A council member signs in on a phone and lands on /app/tasks: the vote on a
new proposal on the agenda is a task there (its kind, the proposal's title
linking to the proposal page, its due time), the header's badge and the page's
live status line say how many tasks there are. The member votes elsewhere
(through the API, as from another device): without a reload the task leaves
the list and the count drops by one (the myTasks subscription; the list is
fetched again when the count changes). The page passes axe and fits 360 px;
in English it is "My tasks".
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import expect

from e2e.harness import (
    SLOW,
    Server,
    cast_vote,
    fits_a_phone,
    no_serious_violations,
    on_the_agenda,
    proposal_path,
)

MEMBER = "kepala.pupr"
"""An eligible voter on a Diskominfotik proposal (no conflict of interest); counts are read afresh, since tests share the server."""

COUNT = "query { viewer { taskCount taskCounts { kind count } } }"


async def test_my_tasks_is_home_and_follows_a_vote_live(
    server: Server, phone: Any, sign_in: Any, axe: Any, api: Any
) -> None:
    title = f"Parkir pintar daring {uuid.uuid4().hex[:6]}"
    pid = await on_the_agenda(api, title, "2150000000")
    count = (await api(MEMBER, COUNT))["viewer"]["taskCount"]
    assert count >= 1  # at least this vote

    # Home after signing in: "Tugas saya".
    await phone.goto(server.url("/app/"))
    await phone.get_by_role("button", name="Masuk", exact=True).click()
    await sign_in(phone, MEMBER)
    await phone.wait_for_url(re.compile(r"/app/tasks$"), timeout=SLOW)
    await expect(phone.get_by_role("heading", level=1, name="Tugas saya")).to_be_visible()

    # The vote is a task: its kind, the proposal's title linking to its page, and when it is due.
    task = phone.get_by_test_id("task").filter(has=phone.get_by_role("link", name=title, exact=True))
    await expect(task).to_have_count(1, timeout=SLOW)
    await expect(task).to_have_attribute("data-kind", "VOTE")
    await expect(task.locator(".task-kind")).to_contain_text("Beri suara")
    await expect(task.get_by_test_id("task-due")).to_contain_text("WIB")  # relative, then the instant in WIB

    # The count: the header's badge, the page's live status line (aria-live), the count of votes.
    badge = phone.get_by_test_id("task-count-badge")
    await expect(badge).to_have_attribute("data-count", str(count), timeout=SLOW)
    status = phone.get_by_test_id("task-total")
    await expect(status).to_have_attribute("aria-live", "polite")
    await expect(status).to_contain_text(f"{count} tugas menunggu Anda")
    await expect(phone.get_by_test_id("task-counts").locator("[data-kind=VOTE]")).to_be_visible()
    await no_serious_violations(axe, phone)
    await fits_a_phone(phone)

    # The title leads to the proposal page; the header's "Tugas saya" back (no reload: the session is in memory).
    await task.get_by_role("link", name=title, exact=True).click()
    await phone.wait_for_url(re.compile(re.escape(proposal_path(pid)) + "$"))
    await expect(phone.get_by_role("heading", level=1, name=title)).to_be_visible()
    await phone.get_by_test_id("nav-tasks").click()
    await expect(task).to_have_count(1)

    # Voting elsewhere: the task goes and the count drops, live (no reload).
    await cast_vote(api, MEMBER, pid, "YES")
    await expect(task).to_have_count(0, timeout=SLOW)
    await expect(badge).to_have_attribute("data-count", str(count - 1), timeout=SLOW)
    if count - 1 == 0:
        await expect(phone.get_by_test_id("tasks-empty")).to_be_visible()

    # In English: "My tasks".
    await phone.get_by_role("button", name="English").click()
    await expect(phone.get_by_role("heading", level=1, name="My tasks")).to_be_visible()
    await no_serious_violations(axe, phone)
