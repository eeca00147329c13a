"""The built wheel carries the default workflows and the web client: a plain install serves ``/app/``.

One wheel is built per session (``pip wheel --no-deps``, with pip's build
isolation, from a copy of the packaging files in a temporary folder so the
checkout gets no ``build/`` or ``*.egg-info``). The copy takes ``web/dist``
when it is built (``make test`` builds it); without a build it gets a small
stand-in ``index.html``, since what is tested is that the package ships and
serves whatever ``web/dist`` held. The wheel is installed without its
dependencies (they are this interpreter's) into a ``--target`` folder, and its
``council`` script runs with only that folder on ``PYTHONPATH``, from an empty
working directory, on an SQLite file there: nothing of the checkout is in reach.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGING = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "council", "workflows", "graphql/operations"]
"""What the wheel is built from (``setup.py`` copies ``workflows/``, ``web/dist`` and ``graphql/operations``
into the package)."""
STAND_IN = b"<!doctype html><title>Council stand-in build</title><div id=root></div>\n"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The path of the ``council-*.whl`` built from this checkout (with ``web/dist`` or the stand-in)."""
    source = tmp_path_factory.mktemp("wheel-source")
    for name in PACKAGING:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, source / name)
    dist = source / "web" / "dist"
    if (REPO / "web" / "dist" / "index.html").is_file():
        shutil.copytree(REPO / "web" / "dist", dist)
    else:
        dist.mkdir(parents=True)
        (dist / "index.html").write_bytes(STAND_IN)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(source)],
        check=True,
        cwd=source,
    )
    (built,) = out.glob("council-*.whl")
    return built


@pytest.fixture(scope="session")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``--target`` folder the wheel is installed into, without dependencies."""
    target = tmp_path_factory.mktemp("installed") / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True,
    )
    return target


def _environment(target: Path, home: Path) -> dict[str, str]:
    """This process's environment without any ``COUNCIL_*`` (the suite's own), on an SQLite file in ``home``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("COUNCIL_")}
    env.update(PYTHONPATH=str(target), COUNCIL_DATABASE_URL=f"sqlite://{home / 'council.sqlite3'}")
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(installed: Path, tmp_path: Path) -> Iterator[tuple[str, Path, dict[str, str]]]:
    """``(base URL, home, environment)`` of ``council serve`` run from the installed wheel, migrated first."""
    env = _environment(installed, tmp_path)
    council = str(installed / "bin" / "council")
    subprocess.run([council, "migrate"], check=True, cwd=tmp_path, env=env)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [council, "serve", "--port", str(port)], cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        for _ in range(600):  # up to a minute on a busy machine; the server prints its address when it listens
            if server.poll() is not None:
                pytest.fail(f"council serve stopped ({server.returncode}):\n{log.read_text()}")
            try:
                httpx.get(f"{base}/app/config.json", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail(f"council serve did not answer:\n{log.read_text()}")
        yield base, tmp_path, env
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_wheel_ships_the_workflows_and_the_web_client(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    workflows = {path.name for path in (REPO / "workflows").glob("*.yaml")}
    assert workflows
    assert {f"council/_shipped/workflows/{name}" for name in workflows} <= names
    assert "council/_shipped/web/index.html" in names
    operations = {path.name for path in (REPO / "graphql" / "operations").glob("*.graphql")}
    assert operations  # their names label the metrics of an installed server
    assert {f"council/_shipped/operations/{name}" for name in operations} <= names
    assert "council/seeds/pekanbaru-2018.yaml" in names
    assert not [name for name in names if "__pycache__" in name or name.startswith(("workflows/", "web/"))]


def test_the_installed_wheel_loads_its_workflows(installed: Path, tmp_path: Path) -> None:
    checked = subprocess.run(
        [str(installed / "bin" / "council"), "workflows", "check"],
        cwd=tmp_path,
        env={**_environment(installed, tmp_path), "COLUMNS": "1000"},  # one line per file
        capture_output=True,
        text=True,
        check=True,
    )
    listed = checked.stdout
    shipped = installed / "council" / "_shipped" / "workflows"
    for path in sorted((REPO / "workflows").glob("*.yaml")):
        assert f"{shipped / path.name}: ok" in listed


def test_the_installed_wheel_serves_the_web_client(served: tuple[str, Path, dict[str, str]], installed: Path) -> None:
    base, _, _ = served
    page = httpx.get(f"{base}/app/", timeout=10)
    assert page.status_code == 200, page.text
    built = REPO / "web" / "dist" / "index.html"
    assert page.content == (built.read_bytes() if built.is_file() else STAND_IN)
    for asset in re.findall(rb'(?:src|href)="/app/(assets/[^"]+)"', page.content):  # none in the stand-in
        assert httpx.get(f"{base}/app/{asset.decode()}", timeout=10).status_code == 200
    deep = httpx.get(f"{base}/app/proposals/anything", timeout=10)  # the client routes itself
    assert deep.status_code == 200
    assert deep.content == page.content
    assert httpx.get(f"{base}/app/config.json", timeout=10).json()["issuer"] == base


def test_the_installed_wheel_labels_its_declared_operations(served: tuple[str, Path, dict[str, str]]) -> None:
    """The metrics name a request by the operations shipped in the wheel, not ``other`` for all."""
    base, _, _ = served
    query = "query Pillars { pillars { code } }"  # the name is declared in graphql/operations/viewer.graphql
    answered = httpx.post(f"{base}/graphql", json={"query": query, "operationName": "Pillars"}, timeout=10)
    assert answered.status_code == 200, answered.text
    scraped = httpx.get(f"{base}/metrics", timeout=10).text
    assert 'council_graphql_requests_total{operation="Pillars",outcome="ok"} 1.0' in scraped


def test_the_installed_wheel_keeps_its_data_in_the_working_directory(installed: Path, tmp_path: Path) -> None:
    """Without COUNCIL_DATABASE_URL an installed server's ``var/`` is where it runs, never inside site-packages."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("COUNCIL_")}
    env["PYTHONPATH"] = str(installed)
    subprocess.run([sys.executable, "-m", "council", "migrate"], check=True, cwd=tmp_path, env=env, capture_output=True)
    assert (tmp_path / "var" / "council.sqlite3").is_file()
    assert not (installed / "var").exists()
