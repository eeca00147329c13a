"""Browser tests: Debian's chromium, driven by Playwright (async API), against ``council serve`` on loopback.

What they need, and what ``make test`` provides: ``/usr/bin/chromium``
(``scripts/ensure-chromium``, the Debian package ``chromium``) and the built
web client ``web/dist`` (``make web``); axe-core comes from
``web/node_modules``. When one is missing the tests FAIL saying to run
``make test``; they are never skipped. Playwright never downloads a browser
(``executable_path`` is Debian's chromium; never run ``playwright install``).

These tests do not use the suite's in-process app or database: the
``pekanbaru`` fixture of ``tests/conftest.py`` is switched off here. One
server runs for the whole session, so tests share its data: a test that
changes a proposal should use one no other test uses, or create its own.

Fixtures
--------
``server`` (session) -> :class:`Server`
    ``council serve`` in a subprocess on a free port, its own SQLite file
    and signing keys under pytest's tmp dir, ``COUNCIL_TOKEN_ISSUER`` =
    ``server.base`` (``http://127.0.0.1:PORT``), the scheduler every 0.5 s;
    before it starts: ``council migrate``, ``council seed pekanbaru-2018``,
    ``council web setup --organization diskominfotik``, and the password
    :data:`PASSWORD` for every member in :data:`MEMBERS`
    (as ``council members set-password`` does; ``server.set_password(username)``
    for others). ``server.url("/app/")``; ``server.log`` is its output
    (``test-results/e2e/server.log``).
``browser`` (session)
    Chromium, headless, launched once (flags: :data:`CHROMIUM_ARGS`).
``open_page`` -> ``await open_page(phone=False, locale="id-ID")``
    A page in a fresh browser context (own cookies and storage, time zone
    Asia/Jakarta, ``Accept-Language`` from ``locale``); ``phone=True`` gives
    a 360x740 touch viewport. Every page opened is screenshotted when the
    test ends, pass or fail, to ``test-results/e2e/<test name>[-N].png``.
``page`` / ``phone``
    One desktop (1280x800) / one phone (360x740) page, in Bahasa Indonesia.
``sign_in`` -> ``await sign_in(page, "sekda")``
    On the server's sign-in page (where the web client sent the page, or
    where ``page`` already is): fills username and password (found by their
    labels, in either language: ``page.*`` of :data:`council.i18n.MESSAGES`),
    submits, allows on the consent page if the server shows it, and waits to
    be back under ``/app/``; returns whether the consent page was shown (the
    server skips it for a member who allowed the web client before, and the
    session's server remembers that from test to test). ``password=``
    defaults to :data:`PASSWORD`.
``axe`` -> ``await axe(page)``
    Runs axe-core in the page; returns the violations of impact serious or
    critical (a list of axe's result dicts; ``[]`` is a pass). Use
    ``await no_serious_violations(axe, page)`` (from ``e2e.harness``), which
    asserts that with :func:`~harness.describe` as the message.
``api`` -> ``await api("sekda", QUERY, {"id": ...})``
    POSTs GraphQL to the server as that member (a token from
    ``council token USERNAME`` run against the server's database; cached
    per member for 5 minutes) and returns ``data``; raises AssertionError on
    GraphQL errors. ``api(None, ...)`` is anonymous; ``api.raw(...)`` returns
    the whole body. ``api.global_id(title)`` finds a proposal by title.

Example::

    from playwright.async_api import expect
    from e2e.harness import fits_a_phone, no_serious_violations

    async def test_member_votes(server, phone, sign_in, axe, api):
        await phone.goto(server.url("/app/"))
        await phone.get_by_role("button", name="Masuk").click()  # the client's landing page
        await sign_in(phone, "sekda")
        await expect(phone.get_by_text("Rusli Effendi")).to_be_visible()
        await no_serious_violations(axe, phone)
        await fits_a_phone(phone)  # nothing scrolls sideways at 360 px

Helpers to import (``from e2e.harness import ...``; tests/e2e is a package so
that this conftest never shadows ``tests/conftest.py``): :data:`~harness.PASSWORD`,
:data:`~harness.MEMBERS`, :class:`~harness.Server`, :func:`~harness.describe`,
:func:`~harness.no_serious_violations`, :func:`~harness.fits_a_phone`;
to put a proposal before the council and act on it through the API,
:func:`~harness.on_the_agenda` (or only :func:`~harness.submitted`, then
:func:`~harness.review`), :func:`~harness.cast_vote`,
:func:`~harness.transition`, :func:`~harness.read_ballot`, and to open a page
signed in, :func:`~harness.open_signed_in` with :func:`~harness.proposal_path`.
A second server with other settings (e.g. other workflows:
:func:`~harness.workflows_copy`) is ``running_server(home, extra_env={...},
name=...)`` in a module-scoped fixture, with its own ``Api(server)``, as in
``test_browser_hidden_tally.py``.
Name test files ``test_browser_*.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from e2e.harness import Api, Pages, Server, launched_browser, running_server
from e2e.harness import axe as run_axe
from e2e.harness import sign_in as do_sign_in

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e ``e2e`` (they drive a browser): ``make test-fast`` (-m "not e2e") skips them.

    A hook rather than ``pytestmark``, which pytest reads from test modules only, not from a conftest.
    The hook sees the whole session's items, hence the path check.
    """
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def pekanbaru() -> None:
    """Switch off the suite's per-test reseed: these tests talk to their own server."""


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``council serve`` on loopback, migrated, seeded, web client registered, passwords set."""
    home: Path = tmp_path_factory.mktemp("e2e-server")
    with running_server(home) as srv:
        yield srv


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    """Debian's chromium, headless, launched once for the session."""
    async with launched_browser() as chromium:
        yield chromium


@pytest.fixture
async def open_page(browser: Any, request: pytest.FixtureRequest) -> AsyncIterator[Pages]:
    """``await open_page(phone=False, locale="id-ID")``: a page in a fresh context, screenshotted at the end."""
    pages = Pages(browser, request.node.name)
    try:
        yield pages
    finally:
        await pages.close()


@pytest.fixture
async def page(open_page: Pages) -> Any:
    """A desktop page (1280x800) in Bahasa Indonesia."""
    return await open_page()


@pytest.fixture
async def phone(open_page: Pages) -> Any:
    """A phone page (360x740, touch) in Bahasa Indonesia."""
    return await open_page(phone=True)


@pytest.fixture
def sign_in() -> Callable[..., Awaitable[bool]]:
    """``await sign_in(page, username, password=PASSWORD, consent=True)``: True when the consent page was shown."""
    return do_sign_in


@pytest.fixture
def axe() -> Callable[..., Awaitable[list[dict[str, Any]]]]:
    """``await axe(page)``: axe-core's serious and critical violations in the page (``[]`` is a pass)."""
    return run_axe


@pytest.fixture(scope="session")
def api(server: Server) -> Api:
    """GraphQL as any seeded member, against the session's server."""
    return Api(server)
