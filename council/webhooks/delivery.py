"""The deliverer: POST pending webhook deliveries, signed per Standard Webhooks, retried for 24 hours.

:func:`deliver_due` takes the pending deliveries whose ``next_attempt_at`` has
come and, for each one this process wins (a compare-and-set on ``attempts``
and ``next_attempt_at`` that also pushes ``next_attempt_at`` :data:`LEASE`
ahead, so no other node takes it while it is in flight), checks the URL again
(:func:`council.webhooks.urls.check_url`: DNS may have changed), signs the
body with the endpoint's secret (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``: the ``standardwebhooks`` package's ``Webhook.sign``,
HMAC-SHA256) and POSTs it with a :data:`TIMEOUT` second timeout, following no
redirect, to the address the check just resolved
(:func:`~council.webhooks.urls.pinned`), through no proxy. A 2xx answer is
delivered; anything else (another status, a redirect, a timeout, a refused
URL) is retried after :data:`BACKOFF` (5 s,
5 min, 30 min, 2 h, 5 h, 10 h, ...), the last try at 24 hours
(:data:`RETRY_WINDOW`) after the event was queued; then the delivery is
``failed``. An endpoint whose deliveries have all failed for
:data:`DISABLE_AFTER` (``failing_since``; any success clears it) is disabled
(``disabled_at``), its pending deliveries failed, and a warning logged.

A crash between the claim and the result leaves the delivery to be tried
again after the lease (at least once: receivers deduplicate by ``webhook-id``).
:func:`running` runs it in the background like the timer scheduler
(``COUNCIL_WEBHOOKS_INTERVAL`` seconds; 0 off).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime, timedelta
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from council import clock
from council.auth.sealing import KeyStoreError
from council.errors import DomainError
from council.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from council.webhooks.service import fail_pending, open_secret
from council.webhooks.urls import check_url, pinned

log = logging.getLogger("council.webhooks")

BACKOFF = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
)
"""Wait before try n+1 after try n failed (the last repeats); clipped to the end of :data:`RETRY_WINDOW`."""
RETRY_WINDOW = timedelta(hours=24)
"""A delivery is retried until this long after it was queued, then failed."""
DISABLE_AFTER = timedelta(hours=24)
"""An endpoint failing continuously this long is disabled."""
LEASE = timedelta(seconds=60)
"""How long a claimed delivery is left alone by other nodes (longer than :data:`TIMEOUT`)."""
TIMEOUT = 10.0
"""Seconds for connecting, sending and reading the answer, each."""
BATCH = 50
"""Deliveries claimed per round at most."""
PARALLEL = 8
"""Requests in flight at once per round."""
DEFAULT_INTERVAL = 5.0
USER_AGENT = "Council-Webhooks/1"


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes POSTed and signed: compact JSON, UTF-8."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(secret: str, message_id: str, at: datetime, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers of ``body`` sent at ``at`` (UTC) with ``secret`` (``whsec_...``)."""
    signature = Webhook(secret).sign(message_id, at, body.decode("utf-8"))
    return {"webhook-id": message_id, "webhook-timestamp": str(int(at.timestamp())), "webhook-signature": signature}


async def _claim(row: dict[str, Any], now: datetime) -> bool:
    """Win ``row`` by compare-and-set: True for exactly one caller among any number of nodes."""
    changed = await WebhookDelivery.filter(
        id=row["id"],
        status=DeliveryStatus.PENDING,
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
    ).update(attempts=row["attempts"] + 1, next_attempt_at=now + LEASE)
    return changed == 1


async def deliver_due(client: httpx.AsyncClient | None = None, limit: int = BATCH) -> int:
    """Try every pending delivery that is due now (the clock); how many this call tried.

    ``client`` (tests) replaces the default client (``TIMEOUT``, no redirects).
    """
    now = clock.now()
    rows = (
        await WebhookDelivery.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .limit(limit)
        .values("id", "endpoint_id", "attempts", "next_attempt_at", "created_at", "message_id", "payload")
    )
    if not rows:
        return 0
    endpoints = {
        e["id"]: e
        for e in await WebhookEndpoint.filter(id__in={r["endpoint_id"] for r in rows}).values(
            "id", "url", "secret_sealed", "failing_since", "disabled_at"
        )
    }
    claimed = [r for r in rows if await _claim(r, now)]
    if not claimed:
        return 0
    gate = asyncio.Semaphore(PARALLEL)
    owned = client is None
    http = client or httpx.AsyncClient(
        timeout=TIMEOUT,
        follow_redirects=False,
        trust_env=False,  # no proxy from the environment: the request goes to the address the SSRF rule checked
        headers={"user-agent": USER_AGENT},
    )
    try:

        async def one(row: dict[str, Any]) -> None:
            async with gate:
                await _deliver(http, row, endpoints[row["endpoint_id"]])

        await asyncio.gather(*(one(r) for r in claimed))
    finally:
        if owned:
            await http.aclose()
    return len(claimed)


async def _deliver(http: httpx.AsyncClient, row: dict[str, Any], endpoint: dict[str, Any]) -> None:
    """Send one claimed delivery and record the outcome; never raises for the receiver's faults."""
    if endpoint["disabled_at"] is not None:
        await WebhookDelivery.filter(id=row["id"]).update(
            status=DeliveryStatus.FAILED, last_error="the endpoint is disabled"
        )
        return
    status: int | None = None
    error = ""
    try:
        addresses = await check_url(endpoint["url"])
        target, host, extensions = pinned(endpoint["url"], addresses[0])
        secret = open_secret(endpoint["secret_sealed"], endpoint["id"])
        body = body_bytes(row["payload"])
        headers = sign(secret, row["message_id"], clock.now(), body) | {"content-type": "application/json"} | host
        response = await http.post(target, content=body, headers=headers, extensions=extensions)
        status = response.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status}" + (" (redirects are not followed)" if 300 <= status < 400 else "")
    except DomainError as exc:
        error = f"refused: {exc.message('en')}"
    except KeyStoreError as exc:
        error = str(exc)
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    await _record(row, endpoint, status, error[:512])


async def _record(row: dict[str, Any], endpoint: dict[str, Any], status: int | None, error: str) -> None:
    """Write a try's outcome to the delivery and its endpoint (failing since, disabled)."""
    now = clock.now()
    if not error:
        await WebhookDelivery.filter(id=row["id"]).update(
            status=DeliveryStatus.DELIVERED, last_status_code=status, last_error="", delivered_at=now
        )
        await WebhookEndpoint.filter(id=endpoint["id"]).update(failing_since=None)
        return
    end = row["created_at"] + RETRY_WINDOW
    attempts = row["attempts"] + 1
    wait = BACKOFF[min(attempts, len(BACKOFF)) - 1]
    if now >= end:
        await WebhookDelivery.filter(id=row["id"]).update(
            status=DeliveryStatus.FAILED, last_status_code=status, last_error=error
        )
        log.warning("webhook delivery %s to endpoint %s failed for good: %s", row["id"], endpoint["id"], error)
    else:
        await WebhookDelivery.filter(id=row["id"]).update(
            last_status_code=status, last_error=error, next_attempt_at=min(now + wait, end)
        )
    await WebhookEndpoint.filter(id=endpoint["id"], failing_since__isnull=True).update(failing_since=now)
    since = endpoint["failing_since"] or now
    if now - since >= DISABLE_AFTER:
        if await WebhookEndpoint.filter(id=endpoint["id"], disabled_at__isnull=True).update(disabled_at=now):
            await fail_pending(endpoint["id"], "the endpoint was disabled after failing for 24 hours")
            log.warning(
                "webhook endpoint %s (%s) disabled: every delivery has failed since %s; last error: %s",
                endpoint["id"],
                endpoint["url"],
                since.isoformat(),
                error,
            )


class Deliverer:
    """A loop that delivers what is due every ``interval`` seconds until ``stop`` is set (the first round at once)."""

    def __init__(self, interval: float = DEFAULT_INTERVAL) -> None:
        self.interval = interval

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; an error in a round is logged and the loop goes on."""
        log.info("webhooks: delivering every %s s", self.interval)
        while not stop.is_set():
            try:
                while await deliver_due() and not stop.is_set():
                    pass
            except Exception:
                log.exception("webhooks: a delivery round failed")
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)


@asynccontextmanager
async def running(interval: float) -> AsyncIterator[Deliverer | None]:
    """Run a :class:`Deliverer` in the background while the context is open; none when ``interval <= 0``.

    On exit the loop stops after the round in hand.
    """
    if interval <= 0:
        yield None
        return
    deliverer, stop = Deliverer(interval), asyncio.Event()
    task = asyncio.create_task(deliverer.run(stop), name="council-webhooks")
    try:
        yield deliverer
    finally:
        stop.set()
        await task
