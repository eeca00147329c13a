"""``COUNCIL_LOG_FORMAT=json`` with ``council serve --workers 2``: JSON lines with request ids, one sum of metrics.

One ``council serve`` subprocess with two worker processes on the session's
database (migrated by the ``app`` fixture), trusting this process's token
issuer. Its stderr is read after it stopped: every line must be a JSON
object; the ``request`` lines carry the request id, operation, member id,
status and latency, and the bearer token appears nowhere. Its ``/metrics``
sums what both workers counted (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from paths import OFFICER, operation
from prometheus_client.parser import text_string_to_metric_families

from council.organizations.models import Member
from council.settings import get_settings

COUNCIL = str(Path(sys.executable).with_name("council"))
REQUESTS = 6

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """The base URL of the subprocess and, once :meth:`stop` ran, its log lines."""

    def __init__(self, base: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.base, self.process, self.log = base, process, log

    def stop(self) -> list[str]:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return [line for line in self.log.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def served(app: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    port = _free_port()
    log = tmp_path_factory.mktemp("json-logs") / "serve.log"
    env = {
        **os.environ,
        "COUNCIL_LOG_FORMAT": "json",
        "COUNCIL_LOG_LEVEL": "info",
        "COUNCIL_SCHEDULER_INTERVAL": "0",
        "COUNCIL_TOKEN_ISSUER": get_settings().token_issuer,
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log.open("w") as errors:  # the log lines; stdout has the address to open
        process = subprocess.Popen(
            [COUNCIL, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    server = Served(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(f"{server.base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"council serve did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield server
    finally:
        server.stop()


async def test_json_lines_carry_the_request_and_metrics_sum_the_workers(served: Served, token: Any) -> None:
    bearer = await token(OFFICER)
    member = await Member.get(username=OFFICER)
    sent_ids = [f"test-{n}.req_{n}" for n in range(REQUESTS)]
    async with httpx.AsyncClient(base_url=served.base, timeout=10) as client:
        for rid in sent_ids:
            response = await client.post(
                "/graphql",
                json={"query": operation("Viewer")},
                headers={"Authorization": f"Bearer {bearer}", "X-Request-ID": rid},
            )
            assert response.status_code == 200, response.text
            assert response.headers["x-request-id"] == rid
        failing = await client.post(
            "/graphql",
            json={"query": "query Viewer { nope }"},
            headers={"Authorization": f"Bearer {bearer}", "X-Request-ID": "test-failing"},
        )
        assert failing.status_code == 200 and failing.json()["errors"]
        insane = await client.get("/.well-known/jwks.json", headers={"X-Request-ID": "not sane!" + "x" * 200})
        generated = insane.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", generated)
        long_name = "Q" * 300
        await client.post("/graphql", json={"query": f"query {long_name} {{ viewer {{ id }} }}"})
        scrape = await client.get("/metrics")
    assert scrape.status_code == 200
    samples = {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(scrape.text)
        for s in family.samples
    }
    requests = "council_graphql_requests_total"
    assert samples[requests, frozenset({("operation", "Viewer"), ("outcome", "ok")})] == REQUESTS
    assert samples[requests, frozenset({("operation", "Viewer"), ("outcome", "error")})] == 1
    assert samples[requests, frozenset({("operation", "other"), ("outcome", "ok")})] == 1

    lines = served.stop()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all(isinstance(r, dict) and "event" in r and "level" in r and "timestamp" in r for r in records)
    assert any(r.get("logger", "").startswith("uvicorn") for r in records), "uvicorn's own lines are JSON too"
    assert not any(r.get("logger") == "uvicorn.access" for r in records), "one line per request: the app's"
    assert bearer not in served.log.read_text()
    by_id = {r["request_id"]: r for r in records if r["event"] == "request"}
    for rid in sent_ids:
        line = by_id[rid]
        assert (line["operation"], line["member_id"], line["status"], line["method"], line["path"]) == (
            "Viewer",
            member.id,
            200,
            "POST",
            "/graphql",
        )
        assert isinstance(line["latency_ms"], int | float) and line["latency_ms"] >= 0
    assert by_id[generated]["path"] == "/.well-known/jwks.json"
    assert by_id[generated]["member_id"] is None
    assert any(r["request_id"] not in sent_ids and r["operation"] == "Q" * 100 for r in by_id.values())
    during = [r for r in records if r.get("request_id") == "test-failing" and r["event"] != "request"]
    assert during and during[0]["logger"] == "council.api", "a line logged while the request runs carries its id"
