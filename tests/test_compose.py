"""``docker/compose.yaml`` as Compose itself reads it: valid, and the topology the deployment guide describes.

Runs Debian's ``docker-compose`` (1.29) or the ``docker compose`` plugin,
whichever answers, with ``docker/.env.example`` as the env file; no Docker
daemon is needed (``config`` only reads). Skipped when neither binary exists,
unless ``COUNCIL_TEST_REQUIRE_TOOLS`` is set (``.ci/run`` sets it and installs
``docker-compose``): then a missing binary fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

DOCKER = Path(__file__).resolve().parent.parent / "docker"
COMPOSE_FILE = DOCKER / "compose.yaml"
ENV_EXAMPLE = DOCKER / ".env.example"
COUNCIL_SERVICES = {"migrate", "api-1", "api-2", "worker"}


def _compose() -> list[str] | None:
    """The Compose command line that answers here, or None."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        plugin = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if plugin.returncode == 0:
            return ["docker", "compose"]
    return None


COMPOSE = _compose()
if COMPOSE is None and os.environ.get("COUNCIL_TEST_REQUIRE_TOOLS"):
    raise RuntimeError("COUNCIL_TEST_REQUIRE_TOOLS is set but neither docker-compose nor `docker compose` is installed")
pytestmark = pytest.mark.skipif(COMPOSE is None, reason="neither docker-compose nor the docker compose plugin")


def _config(env_file: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``compose -f docker/compose.yaml --env-file ENV_FILE config EXTRA...``, without COUNCIL_/POSTGRES_ variables."""
    assert COMPOSE is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COUNCIL_", "POSTGRES_", "COMPOSE_"))}
    return subprocess.run(
        [*COMPOSE, "-f", str(COMPOSE_FILE), "--env-file", str(env_file), "config", *extra],
        capture_output=True,
        text=True,
        env=env,
    )


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    """The resolved configuration (``compose config``) with the example env file."""
    done = _config(ENV_EXAMPLE)
    assert done.returncode == 0, done.stderr
    parsed: dict[str, Any] = yaml.safe_load(done.stdout)
    return parsed


def _example() -> dict[str, str]:
    lines = (line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines() if re.match(r"[A-Z_]+=", line))
    return {key: value for key, value in lines}


def test_compose_accepts_the_file_quietly() -> None:
    done = _config(ENV_EXAMPLE, "-q")
    assert done.returncode == 0, done.stderr
    assert "version" not in yaml.safe_load(COMPOSE_FILE.read_text())  # Compose Specification


def test_a_missing_secret_stops_compose_with_its_name(tmp_path: Path) -> None:
    partial = tmp_path / "partial.env"
    partial.write_text("".join(f"{k}={v}\n" for k, v in _example().items() if k != "COUNCIL_KEYS_SECRET"))
    done = _config(partial, "-q")
    assert done.returncode != 0
    assert "COUNCIL_KEYS_SECRET" in done.stderr


def test_the_services_and_their_order(config: dict[str, Any]) -> None:
    services = config["services"]
    assert set(services) == {"postgres", "redis", "proxy", *COUNCIL_SERVICES}
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["proxy"]["image"].startswith("nginx")
    assert services["postgres"]["healthcheck"]["test"]
    assert any(
        str(v).endswith(":/var/lib/postgresql/data") or _target(v) == "/var/lib/postgresql/data"
        for v in services["postgres"]["volumes"]
    )
    assert "pgdata" in config["volumes"]
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in COUNCIL_SERVICES - {"migrate"}:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["worker"]["command"] == ["worker"]
    for name in ("api-1", "api-2"):
        assert services[name]["command"] == ["serve", "--host", "0.0.0.0", "--port", "8000"]
        assert services[name]["environment"]["COUNCIL_SCHEDULER_INTERVAL"] == "0"
        assert "deploy" not in services[name]


def test_one_public_port_on_the_proxy(config: dict[str, Any]) -> None:
    published = {name: service["ports"] for name, service in config["services"].items() if service.get("ports")}
    assert list(published) == ["proxy"]
    (port,) = published["proxy"]
    assert (str(port["published"]), str(port["target"])) == ("8080", "8080")


def test_every_node_gets_the_production_environment_from_the_env_file(config: dict[str, Any]) -> None:
    example = _example()
    for name in COUNCIL_SERVICES:
        env = config["services"][name]["environment"]
        assert env["COUNCIL_DATABASE_URL"] == (
            f"postgres://{example['POSTGRES_USER']}:{example['POSTGRES_PASSWORD']}@postgres:5432/{example['POSTGRES_DB']}"
        )
        assert env["COUNCIL_REDIS_URL"].startswith("redis://redis:6379")
        assert env["COUNCIL_MODE"] == "production"
        assert env["COUNCIL_TOKEN_ISSUER"] == example["COUNCIL_PUBLIC_URL"]
        assert env["COUNCIL_LOG_FORMAT"] == "json"
        assert env["COUNCIL_KEYS_SECRET"] == example["COUNCIL_KEYS_SECRET"]
        assert config["services"][name]["image"] == config["services"]["api-1"]["image"]


def test_the_proxy_balances_over_every_api_service(config: dict[str, Any]) -> None:
    (mount,) = config["services"]["proxy"]["volumes"]
    assert _target(mount) == "/etc/nginx/nginx.conf"
    assert _source(mount) == str(DOCKER / "nginx" / "nginx.conf")
    nginx = (DOCKER / "nginx" / "nginx.conf").read_text()
    upstream = re.search(r"upstream\s+council\s*\{(.*?)\}", nginx, re.S)
    assert upstream is not None
    servers = set(re.findall(r"^\s*server\s+([\w.-]+):8000\b", upstream.group(1), re.M))
    assert servers == {name for name in config["services"] if name.startswith("api-")}
    assert re.search(r"^\s*listen\s+8080\b", nginx, re.M)


def _target(volume: str | dict[str, Any]) -> str:
    """The container path of a volume in Compose's output (v1: ``src:dst[:mode]``; v2: a mapping)."""
    return str(volume["target"]) if isinstance(volume, dict) else volume.split(":")[1]


def _source(volume: str | dict[str, Any]) -> str:
    return str(volume["source"]) if isinstance(volume, dict) else volume.split(":")[0]
