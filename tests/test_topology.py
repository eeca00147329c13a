"""The compose topology (docker/compose.yaml) as processes: a proxy, two API nodes, a worker.

``council migrate`` (the one-shot service), ``council web setup``, two
``council serve`` (A and B, their schedulers off), one ``council worker`` and
Debian's nginx with docker/nginx/nginx.conf itself, after the substitutions
that file documents (each asserted). Every node's ``COUNCIL_TOKEN_ISSUER`` is
the proxy's URL, as in compose. B reaches PostgreSQL through a TCP forwarder
(tests/tcp_forwarder.py) that the last test cuts and restores. As root, nginx
runs as ``nobody``: the configuration needs no privilege.

Runs only on PostgreSQL with Redis (as tests/test_two_servers.py), and needs
``/usr/sbin/nginx``: skipped without it, failed under
``COUNCIL_TEST_REQUIRE_TOOLS=1`` (``.ci/run``). The tests run in order on one
topology; the seed is loaded once. Tokens other than the OAuth sign-in's are
signed in this process with the nodes' keys and issuer. Each test prints what
happened (``topology: ...``) even when pytest captures output.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import pytest
from conftest import reseed
from nodes import (
    REDIS_URL,
    Process,
    Server,
    local_events_through_redis,
    redis_answers,
    require_tool,
    run_council,
    wait_for_http,
)
from oauth_steps import authorize_params, consent, exchange, pkce_pair, redirect_query, sign_in, with_password
from paths import CAST_VOTE, OWNER_ORG, Paths, representative, voters
from prometheus_client.parser import text_string_to_metric_families
from serve_process import COUNCIL, free_port
from tcp_forwarder import TcpForwarder
from ws_client import TALLY, LiveClient

from council import clock
from council.api.ids import from_global_id
from council.auth.scopes import scopes_for_roles
from council.auth.tokens import issue_access_token
from council.organizations.models import Member, Organization
from council.settings import get_settings
from council.voting.models import Ballot, Vote
from council.workflow.models import Timer, TimerKind

ON_POSTGRES = os.environ["COUNCIL_DATABASE_URL"].startswith("postgres")  # set by conftest
NGINX = "/usr/sbin/nginx"
PROXY_CONF = Path(__file__).resolve().parents[1] / "docker" / "nginx" / "nginx.conf"
WEB_CLIENT = "council-web"  # COUNCIL_WEB_CLIENT_ID's default, registered by `council web setup`
VOTERS = voters(OWNER_ORG)
CHAIR = representative("council_chair")
VIEWER = "query { viewer { username } }"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ON_POSTGRES, reason="the topology needs a shared PostgreSQL database"),
    pytest.mark.skipif(ON_POSTGRES and not redis_answers(), reason=f"no Redis at {REDIS_URL}"),
]


def proxy_config(text: str, *, upstreams: tuple[str, str], port: int, prefix: Path) -> str:
    """docker/nginx/nginx.conf with the substitutions its header documents, each asserted to happen.

    Only directives change (comment lines stay as they are).
    """
    lines = text.splitlines(keepends=True)
    for old, new, times in [
        ("api-1:8000", upstreams[0], 1),
        ("api-2:8000", upstreams[1], 1),
        ("listen 8080;", f"listen 127.0.0.1:{port};", 1),
        ("/tmp/nginx", f"{prefix}/nginx", 6),  # the pid file and the five temp directories
    ]:
        directives = [n for n, line in enumerate(lines) if not line.lstrip().startswith("#")]
        found = sum(lines[n].count(old) for n in directives)
        assert found == times, f"{PROXY_CONF} names {old!r} {found} times, not {times}"
        for n in directives:
            lines[n] = lines[n].replace(old, new)
    return "".join(lines)


class Proxy(Process):
    """Debian's nginx in the foreground on docker/nginx/nginx.conf; ``access`` is its access log (JSON lines).

    As root it runs as ``nobody``, in a folder of its own under the system's
    temp directory (pytest's are closed to other users).
    """

    def __init__(self, upstreams: tuple[str, str], port: int) -> None:
        self.name = "nginx"
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.prefix = Path(tempfile.mkdtemp(prefix="council-nginx-"))
        try:
            self._start(upstreams)
        except BaseException:
            shutil.rmtree(self.prefix, ignore_errors=True)
            raise

    def _start(self, upstreams: tuple[str, str]) -> None:
        self.prefix.chmod(0o755)
        conf = self.prefix / "nginx.conf"
        conf.write_text(proxy_config(PROXY_CONF.read_text(), upstreams=upstreams, port=self.port, prefix=self.prefix))
        self.access = self.prefix / "access.log"
        self.log = self.prefix / "error.log"
        self.access.touch()
        self.log.touch()
        user: dict[str, Any] = {}
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            for path in (self.prefix, conf, self.access, self.log):
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
            user = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
        with self.access.open("a") as stdout, self.log.open("a") as stderr:
            self.process = subprocess.Popen(
                [NGINX, "-c", str(conf), "-p", f"{self.prefix}/", "-g", "daemon off;"],
                stdout=stdout,
                stderr=stderr,
                **user,
            )

    def requests(self) -> list[dict[str, Any]]:
        """The access log's entries so far."""
        return [json.loads(line) for line in self.access.read_text().splitlines() if line.startswith("{")]

    async def logged(self, request_id: str, timeout: float = 10) -> dict[str, Any]:
        """The access log's entry of ``request_id``, once nginx wrote it (after answering).

        Raises:
            AssertionError: not there after ``timeout`` seconds.
        """
        for _ in range(int(timeout / 0.1)):
            entry = next((e for e in self.requests() if e["request_id"] == request_id), None)
            if entry is not None:
                return entry
            await asyncio.sleep(0.1)
        raise AssertionError(f"no entry with request_id {request_id!r} in {self.access}")

    def stop(self) -> None:
        """Stop, then delete its folder."""
        super().stop()
        shutil.rmtree(self.prefix, ignore_errors=True)


def through(url: str, port: int) -> str:
    """The database URL ``url`` with its host and port replaced by 127.0.0.1:``port``."""
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    return urlunsplit(parts._replace(netloc=f"{userinfo}@127.0.0.1:{port}" if userinfo else f"127.0.0.1:{port}"))


@dataclass
class Topology:
    """The running topology; ``processes`` are stopped at the end of the module (a restarted node too)."""

    proxy: Proxy
    a: Server
    b: Server
    worker: Process
    forwarder: TcpForwarder
    folder: Path
    processes: list[Process | Server]

    @property
    def nodes(self) -> dict[str, str]:
        """Upstream address -> node name."""
        return {self.a.address: "A", self.b.address: "B"}

    @property
    def url(self) -> str:
        return self.proxy.url

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.proxy.port}/graphql"

    def served_by(self, headers: Mapping[str, str]) -> str:
        """The node that answered, from the proxy's ``X-Council-Upstream`` (the last address tried)."""
        return self.nodes[headers["x-council-upstream"].split(",")[-1].strip()]

    async def token(self, username: str) -> str:
        """A token for a seeded member with every scope of its roles, issued as the nodes issue them."""
        member = await Member.get(username=username)
        with issuer(self.url):
            return issue_access_token(
                member_id=member.id, username=username, scopes=sorted(scopes_for_roles(member.roles))
            )


@contextmanager
def issuer(url: str) -> Iterator[None]:
    """This process's settings with ``COUNCIL_TOKEN_ISSUER=url`` (no await inside: the app in-process is untouched)."""
    old = os.environ.get("COUNCIL_TOKEN_ISSUER")
    os.environ["COUNCIL_TOKEN_ISSUER"] = url
    get_settings.cache_clear()
    try:
        yield
    finally:
        if old is None:
            del os.environ["COUNCIL_TOKEN_ISSUER"]
        else:
            os.environ["COUNCIL_TOKEN_ISSUER"] = old
        get_settings.cache_clear()


def report(capsys: pytest.CaptureFixture[str], *lines: str) -> None:
    """Print ``lines`` past pytest's capture (the issue's closing note quotes them)."""
    with capsys.disabled():
        for line in lines:
            print(f"\ntopology: {line}", end="")
        print()


@pytest.fixture(autouse=True)
def pekanbaru() -> None:
    """The seed is loaded once, by :func:`topology`, before the nodes start."""


@pytest.fixture(scope="module")
async def topology(app: Any, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Topology]:
    require_tool(NGINX, "nginx")
    await reseed()
    folder = tmp_path_factory.mktemp("topology")
    proxy_port = free_port()
    url = f"http://127.0.0.1:{proxy_port}"
    common = {"COUNCIL_TOKEN_ISSUER": url, "COUNCIL_REDIS_URL": REDIS_URL, "COUNCIL_LOG_LEVEL": "warning"}
    assert "database is up to date" in run_council("migrate", env=common)  # the app fixture migrated it
    assert f"redirect URIs: {url}/app/callback" in run_council(
        "web", "setup", "--organization", "diskominfotik", env=common
    )

    database = os.environ["COUNCIL_DATABASE_URL"]
    target = urlsplit(database)
    forwarder = TcpForwarder(target.hostname or "127.0.0.1", target.port or 5432)
    started: list[Process | Server] = []
    try:
        a = Server("A", folder / "a.log", issuer=url, scheduler_interval=0)
        started.append(a)
        b_database = {"COUNCIL_DATABASE_URL": through(database, forwarder.port)}
        b = Server("B", folder / "b.log", issuer=url, scheduler_interval=0, env=b_database)
        started.append(b)
        worker = Process("worker", [COUNCIL, "worker", "--interval", "0.5"], folder / "worker.log", common)
        started.append(worker)
        a.wait_ready()
        b.wait_ready()
        proxy = Proxy((a.address, b.address), proxy_port)
        started.append(proxy)
        wait_for_http(f"{url}/healthz", proxy, timeout=10)
        async with local_events_through_redis():  # the in-process app is one more node
            yield Topology(proxy, a, b, worker, forwarder, folder, started)
    finally:
        for process in reversed(started):
            process.stop()
        forwarder.close()


async def test_sign_in_with_code_and_pkce_through_the_proxy(
    topology: Topology, capsys: pytest.CaptureFixture[str]
) -> None:
    t = topology
    password = await with_password("sekda")
    served: list[str] = []

    async def note(response: httpx.Response) -> None:
        served.append(t.served_by(response.headers))

    verifier, challenge = pkce_pair()
    redirect = f"{t.url}/app/callback"  # as `council web setup` registered it
    params = authorize_params(WEB_CLIENT, challenge, redirect_uri=redirect)
    url = f"/oauth/authorize?{urlencode(params)}"
    async with httpx.AsyncClient(base_url=t.url, timeout=10, event_hooks={"response": [note]}) as browser:
        page, csrf = await sign_in(browser, url, "sekda", password)
        query = redirect_query(page if page.status_code == 302 else await consent(browser, url, page, csrf))
        assert query["state"] == params["state"]
        answer = await exchange(browser, WEB_CLIENT, query["code"], verifier, redirect)
        assert answer.status_code == 200, answer.text
        bearer = answer.json()["access_token"]
        viewer = await browser.post(
            "/graphql",
            json={"query": VIEWER},
            headers={"Authorization": f"Bearer {bearer}", "X-Request-ID": "topology-viewer-0001"},
        )
    assert viewer.json() == {"data": {"viewer": {"username": "sekda"}}}
    assert viewer.headers["x-request-id"] == "topology-viewer-0001"  # the proxy passed it on, the node gave it back
    # Round robin: the steps went to both nodes; the flow's state is in signed tickets and the database.
    assert set(served) == {"A", "B"}, served
    claims = json.loads(base64url(bearer.split(".")[1]))
    assert claims["iss"] == t.url

    assert (await t.proxy.logged("topology-viewer-0001"))["uri"] == "/graphql"  # the client's request id, passed on
    ours = [entry for entry in t.proxy.requests() if entry["uri"].startswith("/oauth/")]
    assert ours and all(re.fullmatch(r"[0-9a-f]{32}", entry["request_id"]) for entry in ours)  # nginx's own
    report(
        capsys,
        f"sign-in (code + PKCE) and a query: {len(served)} requests through the proxy, served by {' '.join(served)}",
    )


def base64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


async def cast(t: Topology, http: httpx.AsyncClient, bearer: str, pid: str, choice: str) -> httpx.Response:
    """castVote through the proxy; the response, unchecked."""
    return await http.post(
        f"{t.url}/graphql",
        headers={"Authorization": f"Bearer {bearer}"},
        json={"query": CAST_VOTE, "variables": {"input": {"proposalId": pid, "choice": choice}}},
    )


def acknowledged(response: httpx.Response) -> bool:
    """200 with no error of any kind: the vote is recorded."""
    if response.status_code != 200:
        return False
    body = response.json()
    return "errors" not in body and body["data"]["castVote"]["errors"] == []


async def test_a_vote_through_the_proxy_reaches_a_subscriber_on_the_other_node_and_the_worker_closes_the_ballot(
    topology: Topology, p: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    t = topology
    pid = await p.at("quick_win_approval")
    async with LiveClient.connect(t.ws, {"token": await t.token(CHAIR)}) as live, httpx.AsyncClient(timeout=10) as http:
        listener = t.served_by(live.ws.response.headers)  # the node holding the websocket
        await live.subscribe("t", TALLY, {"id": pid})
        assert (await live.data("t"))["voteTally"]["votesCast"] == 0
        served = []
        for n, voter in enumerate(VOTERS[:4]):  # round robin: the second vote at the latest reaches the other node
            response = await cast(t, http, await t.token(voter), pid, "YES")
            assert acknowledged(response), response.text
            served.append(t.served_by(response.headers))
            assert (await live.data("t"))["voteTally"]["votesCast"] == n + 1
        assert set(served) - {listener}, f"every vote went to {listener}, the subscriber's node"

        pk = from_global_id(pid, "Proposal")[1]
        past = clock.now() - timedelta(seconds=1)  # the deadline (after its one extension) has passed
        await Ballot.filter(proposal_id=pk, closed_at__isnull=True).update(closes_at=past, extended=True)
        timer = Timer.filter(
            proposal_id=pk, kind=TimerKind.BALLOT_DEADLINE, fired_at__isnull=True, cancelled_at__isnull=True
        )
        assert await timer.update(due_at=past) == 1
        closed = (await live.data("t", timeout=20))["voteTally"]
        assert (closed["closed"], closed["result"]) == (True, "APPROVED")
    fired = await Timer.get(proposal_id=pk, kind=TimerKind.BALLOT_DEADLINE)
    assert fired.claimed_by is not None and fired.claimed_by.split(":")[1] == str(
        t.worker.pid
    )  # nodes' schedulers are off
    report(
        capsys,
        f"subscriber on {listener} (websocket through the proxy); votes served by {' '.join(served)}, each heard live",
        f"ballot deadline fired by the worker (pid {t.worker.pid}), the close heard by the subscriber",
    )


async def test_the_proxy_does_not_serve_metrics(topology: Topology) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        assert (await http.get(f"{topology.url}/metrics")).status_code == 403
        assert (await http.get(f"{topology.url}//metrics")).status_code == 403


async def test_each_node_serves_its_metrics(topology: Topology, capsys: pytest.CaptureFixture[str]) -> None:
    """Scraped directly, as Prometheus does (the proxy denies /metrics); the votes of the test above counted."""
    families: dict[str, list[str]] = {}
    votes = 0.0
    async with httpx.AsyncClient(timeout=10) as http:
        for node in (topology.a, topology.b):
            response = await http.get(f"{node.base}/metrics")
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith("text/plain")
            found = [f for f in text_string_to_metric_families(response.text) if f.name.startswith("council_")]
            families[node.name] = sorted(f"{f.name} ({f.type})" for f in found if not f.name.endswith("_created"))
            assert families[node.name], response.text
            votes += sum(s.value for f in found for s in f.samples if s.name == "council_votes_cast_total")
    assert votes >= 4  # cast through the proxy on both nodes by the previous test
    report(capsys, *(f"/metrics of {node}: {', '.join(names)}" for node, names in families.items()))


async def test_killing_a_node_mid_vote_loses_no_acknowledged_vote_and_the_proxy_serves_on(
    topology: Topology, p: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    t = topology
    council = await Organization.get(code="council")
    members = [
        await Member.create(
            username=f"topologi.{n}", display_name=f"Anggota {n}", organization=council, roles=["council_member"]
        )
        for n in range(40)
    ]
    choices = {m.username: ("YES", "NO", "ABSTAIN")[n % 3] for n, m in enumerate(members)}
    bearers = {m.username: await t.token(m.username) for m in members}
    pid = await p.at("quick_win_approval")
    acks: dict[str, str] = {}  # username -> node that acknowledged
    unanswered: Counter[str] = Counter()  # what the others got
    ten_acks = asyncio.Event()
    gate = asyncio.Semaphore(4)

    async def vote(username: str, http: httpx.AsyncClient) -> None:
        async with gate:
            try:
                response = await cast(t, http, bearers[username], pid, choices[username])
            except httpx.TransportError as exc:
                unanswered[type(exc).__name__] += 1
                return
        if acknowledged(response):
            acks[username] = t.served_by(response.headers)
            if len(acks) >= 10:
                ten_acks.set()
        else:
            unanswered[f"HTTP {response.status_code}"] += 1

    async with httpx.AsyncClient(timeout=20) as http:
        tasks = [asyncio.create_task(vote(username, http)) for username in choices]
        await asyncio.wait_for(ten_acks.wait(), 30)
        assert t.a.kill() == -signal.SIGKILL
        acked_at_kill = len(acks)
        await asyncio.gather(*tasks)

        ballot = await Ballot.get(proposal_id=from_global_id(pid, "Proposal")[1])
        rows = dict(await Vote.filter(ballot_id=ballot.id).values_list("member__username", "choice"))
        lost = [u for u in acks if str(rows.get(u)).upper() != choices[u]]
        assert not lost, f"acknowledged but not recorded: {lost}"

        # The client retries what got no acknowledgement; the proxy serves it (and more) from B.
        retried = [u for u in choices if u not in acks]
        after: list[str] = []
        for username in retried:
            response = await cast(t, http, bearers[username], pid, choices[username])
            assert acknowledged(response), response.text
            after.append(t.served_by(response.headers))
        for _ in range(4):
            response = await http.post(
                f"{t.url}/graphql",
                json={"query": VIEWER},
                headers={"Authorization": f"Bearer {bearers[members[0].username]}"},
            )
            assert response.status_code == 200 and response.json()["data"]["viewer"]["username"] == members[0].username
            after.append(t.served_by(response.headers))
    assert set(after) == {"B"}
    rows = dict(await Vote.filter(ballot_id=ballot.id).values_list("member__username", "choice"))
    assert {u: str(c).upper() for u, c in rows.items() if u in choices} == choices
    by_node = Counter(acks.values())
    report(
        capsys,
        f"votes sent {len(choices)}, acknowledged {len(acks)} (A {by_node['A']}, B {by_node['B']}; "
        f"A killed with SIGKILL after {acked_at_kill}), not acknowledged {len(retried)} "
        f"({', '.join(f'{k} x{v}' for k, v in sorted(unanswered.items())) or 'none'}), acknowledged lost 0",
        f"after the kill: {len(retried)} retried votes and 4 queries through the proxy, all answered by "
        f"{' '.join(sorted(set(after)))}; {len(choices)} votes in the database, each as cast",
    )


async def test_a_restarted_node_serves_through_the_proxy_again(
    topology: Topology, capsys: pytest.CaptureFixture[str]
) -> None:
    t = topology
    dead = t.a
    assert dead.process.poll() is not None  # killed by the previous test
    t.a = Server("A", t.folder / "a-again.log", issuer=t.url, scheduler_interval=0, port=dead.port)
    t.processes.append(t.a)
    t.a.wait_ready()
    served: list[str] = []
    async with httpx.AsyncClient(base_url=t.url, timeout=10) as http:
        while "A" not in served:  # nginx tries A again fail_timeout (5 s) after its failure
            assert len(served) < 60, f"the proxy never went back to A: {served}"
            response = await http.get("/healthz")
            assert response.status_code == 200, response.text
            served.append(t.served_by(response.headers))
            await asyncio.sleep(0.2)
    report(capsys, f"A started again on its port: the proxy sends it requests again after {len(served) - 1} to B")


async def test_a_node_without_its_database_is_not_ready_and_the_proxy_answers_from_the_other(
    topology: Topology, capsys: pytest.CaptureFixture[str]
) -> None:
    t = topology
    async with httpx.AsyncClient(timeout=15) as http:
        assert [(await http.get(f"{node.base}/readyz")).json()["status"] for node in (t.a, t.b)] == ["ready"] * 2
        t.forwarder.stop()  # B's way to PostgreSQL: its connections cut, new ones refused
        response = await http.get(f"{t.b.base}/readyz")
        assert response.status_code == 503, response.text
        body = response.json()
        assert body["status"] == "unready" and body["checks"]["database"]["ok"] is False, body
        # A 503 of B goes on to A (proxy_next_upstream http_503): through the proxy, the city is ready.
        through_proxy = [await http.get(f"{t.url}/readyz") for _ in range(4)]
        assert [(r.status_code, r.json()["status"]) for r in through_proxy] == [(200, "ready")] * 4
        assert {t.served_by(r.headers) for r in through_proxy} == {"A"}

        t.forwarder.start()  # the database is back: so is B, without a restart
        statuses = []
        while not statuses or statuses[-1] != 200:
            assert len(statuses) < 50, f"B stayed unready: {statuses}"
            await asyncio.sleep(0.2)
            statuses.append((await http.get(f"{t.b.base}/readyz")).status_code)
    report(
        capsys,
        f"B cut off from PostgreSQL: its /readyz {response.status_code}, database {json.dumps(body['checks']['database'])}",
        "the proxy's /readyz meanwhile: 200 from A, 4 times out of 4; B ready again once its database was back",
    )
