"""``council worker``: fire due timers (ballot deadlines, SLAs) without serving the API."""

from __future__ import annotations

import asyncio
import signal

import typer

from council.cli.app import app, console, fail, run_db
from council.settings import get_settings


@app.command()
def worker(
    interval: float = typer.Option(
        None, help="Seconds between two scans (default COUNCIL_SCHEDULER_INTERVAL, or 5 when that is 0)."
    ),
    once: bool = typer.Option(False, "--once", help="Fire what is due now and exit (for cron or a check)."),
    metrics_port: int = typer.Option(
        None, help="Serve this worker's /metrics (Prometheus text format) on this port, at COUNCIL_HOST."
    ),
) -> None:
    """Run the timer scheduler and the outbox relay alone until SIGINT or SIGTERM.

    Safe beside any number of ``council serve`` processes and other workers:
    each due timer fires exactly once. Refuses (exit 1, naming ``host:port``) a
    database or Redis it cannot reach and a database behind its migrations.
    On SIGINT or SIGTERM it finishes the timer in hand (its transaction commits
    or rolls back whole), fires no other, and exits 0.
    The outbox relay (:mod:`council.outbox.relay`) hands the events of every
    node's commits to the consumers of ``council.app.OUTBOX_CONSUMERS`` (and to
    the live subscriptions when Redis is configured) every
    COUNCIL_OUTBOX_INTERVAL seconds (at least every second here); with
    ``--once`` it hands over what is pending once, after the timers, and sends the e-mail and webhooks due.
    With ``--metrics-port`` it serves its timer metrics (:mod:`council.metrics`)
    over HTTP, as ``council serve`` does at ``/metrics``.
    """
    import logging
    from datetime import timedelta

    from prometheus_client import start_http_server

    from council import metrics
    from council.app import install_outbox_consumers
    from council.decisions import scheduler
    from council.logs import configure as configure_logs
    from council.notifications import mailer
    from council.outbox import relay
    from council.webhooks import delivery

    settings = get_settings()
    configure_logs(settings.log_format, settings.log_level)

    every = interval if interval is not None else (get_settings().scheduler_interval or scheduler.DEFAULT_INTERVAL)
    if every <= 0:
        raise fail(f"--interval must be more than 0 seconds, not {every}")
    if metrics_port is not None and not once:
        try:
            start_http_server(metrics_port, addr=settings.host, registry=metrics.registry())
        except OSError as exc:
            raise fail(f"cannot serve metrics at {settings.host}:{metrics_port}: {exc}") from None

    async def body() -> list[str]:
        from council.health import events_connected

        install_outbox_consumers(live=bool(settings.redis_url))
        async with events_connected(get_settings().redis_url):  # subscribers elsewhere hear of what fired
            if once:
                fired = await scheduler.tick(scheduler.worker_name())
                try:
                    await relay.drain()
                    await mailer.send_due(settings)
                    await delivery.deliver_due()
                except Exception:  # the timers fired and committed; what is left waits for the next run or a relay
                    logging.getLogger("council.worker").exception(
                        "handing over the outbox failed (e.g. SQLite busy with another process): the next run does it"
                    )
                return fired
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            outbox_every = settings.outbox_interval or 1.0
            async with (
                relay.running(outbox_every, timedelta(seconds=settings.outbox_retention)),
                mailer.running(settings.mail_interval or every, settings),
                delivery.running(settings.webhooks_interval or every),
            ):
                await scheduler.Scheduler(every).run(stop)
            return []

    fired = run_db(body)
    if once:
        for outcome in fired:
            console.print(outcome, highlight=False)
        console.print(f"fired {len(fired)} timer(s)")
