"""The browser tests' helpers (the fixtures in ``conftest.py`` wrap them; its docstring tells how to use them).

Import from here, not from ``conftest``::

    from e2e.harness import PASSWORD, Server, describe

The GraphQL side is shared with the rest of the suite: :func:`ok` and
:func:`operation` come from ``tests/paths.py`` (re-exported here), and the
mutations that put a proposal on the agenda are the web client's own
(``graphql/operations``).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from paths import ASSIGN_REVIEWERS as ASSIGN
from paths import ok, operation

from council.i18n import MESSAGES

ROOT = Path(__file__).resolve().parents[2]
COUNCIL = str(Path(sys.executable).with_name("council"))
CHROMIUM = Path(os.environ.get("COUNCIL_E2E_CHROMIUM", "/usr/bin/chromium"))
WEB_DIST = Path(os.environ.get("COUNCIL_E2E_WEB_DIR") or ROOT / "web" / "dist")
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
OUTPUT = Path(os.environ.get("COUNCIL_E2E_OUTPUT") or ROOT / "test-results" / "e2e")
"""Logs and screenshots; .ci/run gives each of its two side-by-side runs its own folder."""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "rahasia-dewan-2018"
"""The password every member in :data:`MEMBERS` gets (as in the README)."""
MEMBERS = (
    "walikota",
    "sekda",
    "kepala.kominfo",
    "kepala.bappeda",
    "kepala.pupr",
    "kepala.dlhk",
    "rektor.unri",
    "opd.kominfo",
    "opd.pupr",
    "opd.dishub",
    "tim.teknis1",
    "tim.teknis2",
    "reviewer.unri",
)
"""Seeded members who can sign in during the browser tests."""
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
MAKE_TEST = "run `make test` (it builds the web client and installs Debian's chromium), or `make web`"


def missing() -> str | None:
    """Why the browser tests cannot run here (no chromium, no build), or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: the browser tests need Debian's chromium; {MAKE_TEST}"
    if not (WEB_DIST / "index.html").exists():
        return f"{WEB_DIST}/index.html is missing: the web client is not built; {MAKE_TEST}"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """The ``council serve`` subprocess of the session and how to run ``council`` against its database."""

    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT``, also the token issuer."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base + path

    def council(self, *args: str, stdin: str | None = None) -> str:
        """Run ``council ARGS`` against the server's database; its stdout. Fails the test on a non-zero exit."""
        done = subprocess.run([COUNCIL, *args], env=self.env, input=stdin, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            pytest.fail(f"council {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def set_password(self, username: str, password: str = PASSWORD) -> None:
        """Give ``username`` a password (``council members set-password --password-stdin``)."""
        self.council("members", "set-password", username, "--password-stdin", stdin=password + "\n")

    def set_passwords(self, usernames: Iterable[str], password: str = PASSWORD) -> None:
        """Give each member the same password, in one process (what ``set-password`` does, without a start each)."""
        script = (
            "import sys\n"
            "from council.cli.app import run_db\n"
            "from council.organizations.service import set_password\n"
            "async def body():\n"
            "    for username in sys.argv[2:]:\n"
            "        await set_password(username, sys.argv[1])\n"
            "run_db(body)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script, password, *usernames],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            pytest.fail(f"setting passwords failed:\n{done.stdout}\n{done.stderr}")


@contextmanager
def running_server(home: Path, *, extra_env: dict[str, str] | None = None, name: str = "server") -> Iterator[Server]:
    """``council serve`` on loopback with a migrated, seeded database in ``home`` (the ``server`` fixture).

    ``extra_env`` is added to the environment of every ``council`` run (after the
    defaults, so it may override them), e.g. ``{"COUNCIL_WORKFLOWS_DIR": ...}``
    for a server with other workflow definitions (see :func:`workflows_copy`).
    ``name`` names its log, ``OUTPUT/<name>.log``: a second server beside the
    session's needs its own.
    """
    problem = missing()
    if problem:
        pytest.fail(problem, pytrace=False)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNCIL_")}
    env.update(
        {
            "COUNCIL_DATABASE_URL": f"sqlite://{home / 'council.sqlite3'}",
            "COUNCIL_KEYS_DIR": str(home / "keys"),
            "COUNCIL_TOKEN_ISSUER": f"http://127.0.0.1:{port}",
            "COUNCIL_SCHEDULER_INTERVAL": "0.5",
            "COUNCIL_WEB_DIR": str(WEB_DIST),
            "COUNCIL_MODE": "development",
            "COUNCIL_LOG_LEVEL": "warning",
        }
    )
    env.update(extra_env or {})
    srv = Server(port=port, env=env, log=OUTPUT / f"{name}.log")
    srv.council("migrate")
    srv.council("seed", "pekanbaru-2018")
    srv.council("web", "setup", "--organization", "diskominfotik")
    srv.set_passwords(MEMBERS)
    with srv.log.open("wb") as output:
        srv.process = subprocess.Popen(
            [COUNCIL, "serve", "--port", str(port)], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        _wait_healthy(srv)
        yield srv
    finally:
        srv.process.send_signal(signal.SIGINT)
        try:
            srv.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            srv.process.kill()
            srv.process.wait()


def workflows_copy(folder: Path, edit: Callable[[str, str], str]) -> Path:
    """A copy of the repository's ``workflows/`` in ``folder``, each file's text passed through
    ``edit(file_name, text)``; the folder, for ``COUNCIL_WORKFLOWS_DIR``."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in sorted((ROOT / "workflows").iterdir()):
        if source.is_file():
            (folder / source.name).write_text(edit(source.name, source.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def _wait_healthy(srv: Server, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    assert srv.process is not None
    while time.monotonic() < deadline:
        if srv.process.poll() is not None:
            pytest.fail(f"council serve exited {srv.process.returncode}:\n{srv.log.read_text()[-4000:]}")
        try:
            if httpx.get(srv.url("/healthz"), timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"council serve did not answer /healthz within {timeout} s:\n{srv.log.read_text()[-4000:]}")


# --- the browser -----------------------------------------------------------------------


@asynccontextmanager
async def launched_browser() -> AsyncIterator[Any]:
    """Debian's chromium, headless (the ``browser`` fixture)."""
    problem = missing()
    if problem:
        pytest.fail(problem, pytrace=False)
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


class Pages:
    """Pages in fresh browser contexts, each screenshotted by :meth:`close` (the ``open_page`` fixture)."""

    def __init__(self, browser: Any, name: str) -> None:
        self.browser = browser
        self.name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:150]
        self.contexts: list[Any] = []
        self.pages: list[Any] = []

    async def __call__(self, *, phone: bool = False, locale: str = "id-ID") -> Any:
        """A new page in a new context: ``locale`` (and its Accept-Language), Asia/Jakarta, desktop or phone."""
        options: dict[str, Any] = {
            "locale": locale,
            "timezone_id": "Asia/Jakarta",
            "viewport": PHONE if phone else DESKTOP,
        }
        if phone:
            options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
        context = await self.browser.new_context(**options)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = await context.new_page()
        self.pages.append(page)
        return page

    async def close(self) -> None:
        """Screenshot every page to ``OUTPUT/<test name>[-N].png``, then close the contexts."""
        OUTPUT.mkdir(parents=True, exist_ok=True)
        for i, page in enumerate(self.pages):
            suffix = f"-{i + 1}" if len(self.pages) > 1 else ""
            try:
                await page.screenshot(path=str(OUTPUT / f"{self.name}{suffix}.png"), full_page=True, timeout=5_000)
            except Exception as exc:  # a closed or crashed page must not hide the test's own result
                print(f"no screenshot of page {i + 1}: {exc}", file=sys.stderr)
        for context in self.contexts:
            await context.close()


# --- signing in ------------------------------------------------------------------------


def _label(key: str) -> re.Pattern[str]:
    texts = MESSAGES[f"page.{key}"]
    return re.compile("^(" + "|".join(re.escape(t) for t in texts.values()) + ")$")


async def sign_in(page: Any, username: str, password: str = PASSWORD, *, consent: bool = True) -> bool:
    """Fill the server's sign-in form, allow on the consent page if it comes, wait to be back under /app/.

    The page must be on (or on its way to) ``/oauth/authorize``. The fields
    and buttons are found by their labels in either language. The server
    skips the consent page for a member who allowed the web client before
    (remembered consent; the session's server keeps it from test to test),
    so it may not come. With ``consent=False`` a consent page is left
    unanswered (and nothing is awaited after it).

    Returns:
        True when the consent page was shown, False when the server went
        straight back to the client.
    """
    await page.wait_for_url(re.compile(r"/oauth/authorize\?"))
    await page.get_by_label(_label("username")).fill(username)
    await page.get_by_label(_label("password")).fill(password)
    # The answer is the consent page (at the same URL) or a redirect to /app/callback: the first
    # document committed tells which (a redirect chain commits only its last document).
    async with page.expect_navigation(wait_until="commit"):
        await page.get_by_role("button", name=_label("sign_in")).click()
    back = re.compile(r"/app/(?!callback)")
    if urlsplit(page.url).path != "/oauth/authorize":
        await page.wait_for_url(back)
        return False
    if consent:
        await page.get_by_role("button", name=_label("allow")).click()
        await page.wait_for_url(back)
    return True


# --- accessibility ---------------------------------------------------------------------


async def axe(page: Any, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """axe-core's violations of impact ``impacts`` in the page (a list of axe result dicts; ``[]`` is a pass)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing; {MAKE_TEST}", pytrace=False)
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which the page's CSP does not govern.
        await page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    results = await page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v.get("impact") in impacts]


def describe(violations: list[dict[str, Any]]) -> str:
    """A readable list of axe violations for an assertion message."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at " + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in violations
    )


async def no_serious_violations(axe: Callable[..., Any], page: Any) -> None:
    """Fail the test, listing them (:func:`describe`), when ``await axe(page)`` finds violations."""
    violations = await axe(page)
    assert not violations, describe(violations)


async def fits_a_phone(page: Any) -> None:
    """Fail the test when the page scrolls sideways (is wider than its 360 px phone viewport)."""
    assert await page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), (
        "the page scrolls sideways at 360 px"
    )


# --- acting as another member through the API ------------------------------------------


class Api:
    """GraphQL over HTTP to the session's server as a member; see the module docstring."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.tokens: dict[str, tuple[str, float]] = {}

    def token(self, username: str) -> str:
        """A bearer token for ``username`` (``council token``), reused for 5 minutes."""
        cached = self.tokens.get(username)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        value = self.server.council("token", username).strip()
        self.tokens[username] = (value, time.monotonic() + 300)
        return value

    async def raw(
        self, username: str | None, query: str, variables: dict[str, Any] | None = None, *, lang: str = "id"
    ) -> dict[str, Any]:
        """The whole GraphQL response body."""
        headers = {"Accept-Language": lang}
        if username:
            headers["Authorization"] = f"Bearer {await asyncio.to_thread(self.token, username)}"
        async with httpx.AsyncClient(timeout=30) as http:
            response = await http.post(
                self.server.url("/graphql"), headers=headers, json={"query": query, "variables": variables or {}}
            )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def __call__(
        self, username: str | None, query: str, variables: dict[str, Any] | None = None, **kw: Any
    ) -> dict[str, Any]:
        body = await self.raw(username, query, variables, **kw)
        assert "errors" not in body, json.dumps(body["errors"], indent=1)
        data: dict[str, Any] = body["data"]
        return data

    async def global_id(self, title: str, as_user: str = "walikota") -> str:
        """The global ID of the proposal titled ``title``, as ``as_user`` sees it.

        Staff (the default, the chair) see every proposal once submitted; a
        draft only its own OPD's members (e.g. ``as_user="opd.kominfo"``).
        """
        data = await self(
            as_user,
            "query($s: String!) { proposals(first: 10, filter: {search: $s}) { edges { node { id title } } } }",
            {"s": title},
        )
        ids = [e["node"]["id"] for e in data["proposals"]["edges"] if e["node"]["title"] == title]
        assert len(ids) == 1, (title, data)
        return str(ids[0])


# --- a proposal on the council's agenda ------------------------------------------------
# The web client's own mutations (graphql/operations); VOTE and BALLOT ask for what the tests check.

CREATE = operation("CreateDraft")
TRANSITION = operation("TransitionProposal")
REVIEW = operation("SubmitTechnicalReview")
VOTE = """
mutation($input: CastVoteInput!) {
  castVote(input: $input) { ballot { tally { yes no abstain } myVote } errors { code field message } }
}"""
BALLOT = """
query($id: ID!) {
  proposal(id: $id) {
    state availableTransitions availableActions voteDenial { code message }
    ballot { closesAt quorum eligibleCount votesCast hideTally tally { yes no abstain } myVote closed result }
  }
}"""
SLOW = 10_000
"""ms to wait for what another process drives (a live update, a sign-in round trip): CI is a shared 2-core box."""


async def submitted(
    api: Api,
    title: str,
    budget: str,
    pillar: str = "smart_governance",
    summary: str = "Satu pintu daring untuk izin usaha mikro, dengan pelacakan berkas dan notifikasi SMS.",
) -> str:
    """A new Diskominfotik proposal created and submitted by opd.kominfo through the API
    (now in technical_review); its global ID."""
    created = ok(
        (
            await api(
                "opd.kominfo",
                CREATE,
                {
                    "input": {
                        "title": title,
                        "pillar": pillar,
                        "budget": budget,
                        "summary": summary,
                    }
                },
            )
        )["createProposal"]
    )
    pid = str(created["proposal"]["id"])
    await transition(api, "opd.kominfo", pid, "submit")
    return pid


async def assign(api: Api, reviewer: str, pid: str) -> None:
    """tim.teknis2 assigns the proposal to ``reviewer`` through the API, due in 30 days (a repeat is refused, fine).

    Quick-win version 2 takes reviews from assignees only (and counts only theirs).
    """
    me = (await api(reviewer, "query { viewer { id } }", {}))["viewer"]["id"]
    due = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    await api("tim.teknis2", ASSIGN, {"input": {"proposalId": pid, "reviewerIds": [me], "dueOn": due}})


async def review(
    api: Api, reviewer: str, pid: str, scores: dict[str, int], recommendation: str = "APPROVE"
) -> dict[str, Any]:
    """``reviewer`` reviews the proposal through the API, assigned first by tim.teknis2; the submitReview payload.

    Quick-win version 2 takes reviews from assignees only (and counts only theirs); an assignment the
    reviewer already holds is refused as a duplicate, which is fine here.
    """
    await assign(api, reviewer, pid)
    return ok(
        (
            await api(
                reviewer,
                REVIEW,
                {
                    "input": {
                        "proposalId": pid,
                        "recommendation": recommendation,
                        "scores": scores,
                    }
                },
            )
        )["submitReview"]
    )


async def on_the_agenda(api: Api, title: str, budget: str, pillar: str = "smart_governance") -> str:
    """A new Diskominfotik proposal walked to quick_win_approval through the API; its global ID.

    Submitted by opd.kominfo, reviewed by tim.teknis1 and reviewer.unri,
    recommended by tim.teknis2. The eligible voters are then walikota, sekda,
    kepala.bappeda, kepala.pupr, kepala.dlhk and rektor.unri; kepala.kominfo
    (Diskominfotik) has a conflict of interest.
    """
    pid = await submitted(api, title, budget, pillar)
    await review(api, "tim.teknis1", pid, {"feasibility": 4, "impact": 5, "costEffectiveness": 3, "alignment": 5})
    await review(api, "reviewer.unri", pid, {"feasibility": 5, "impact": 4, "costEffectiveness": 4, "alignment": 4})
    moved = await transition(api, "tim.teknis2", pid, "recommend")
    assert moved["proposal"]["state"] == "quick_win_approval", moved
    return pid


async def cast_vote(api: Api, member: str, pid: str, choice: str) -> dict[str, Any]:
    """``member`` votes ``choice`` (YES, NO, ABSTAIN) through the API; the castVote payload."""
    return ok((await api(member, VOTE, {"input": {"proposalId": pid, "choice": choice}}))["castVote"])


async def transition(api: Api, member: str, pid: str, trigger: str) -> dict[str, Any]:
    """``member`` fires ``trigger`` through the API; the transitionProposal payload."""
    return ok((await api(member, TRANSITION, {"input": {"proposalId": pid, "trigger": trigger}}))["transitionProposal"])


async def read_ballot(api: Api, member: str, pid: str) -> dict[str, Any]:
    """The proposal as ``member`` sees it: state, what they may do, and its ballot (:data:`BALLOT`)."""
    proposal: dict[str, Any] = (await api(member, BALLOT, {"id": pid}))["proposal"]
    return proposal


def proposal_path(pid: str) -> str:
    """The proposal page's path under /app/."""
    return f"/proposals/{quote(pid, safe='')}"


async def open_signed_in(server: Server, page: Any, path: str, member: str) -> None:
    """Open ``path`` under /app/ without a session, sign in as ``member`` and come back to it."""
    await page.goto(server.url(f"/app{path}"))
    await page.get_by_role("button", name="Masuk", exact=True).click()
    await sign_in(page, member)
    await page.wait_for_url(re.compile(re.escape(path) + "$"), timeout=SLOW)
