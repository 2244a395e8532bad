"""A real PostgreSQL server for the tests, and a fresh schema for each test.

The server is the one `.ci/start-postgres.sh` starts on 127.0.0.1 (port 54329
unless `$BLUEPRINT_PG_PORT` says otherwise). If nothing answers there, the session
fixture runs that script once (it needs root to install the server, as in CI).
If the server still cannot be reached, every test that needs it FAILS with the
reason — a store that was never tested must not look green.

    BLUEPRINT_TEST_PG_URL       another server (its password: BLUEPRINT_TEST_PG_PASSWORD)
    BLUEPRINT_TEST_PG_PASSWORD  the test role's password (else the file the script keeps)

Loaded through `pytest_plugins` in tests/conftest.py.
"""

from __future__ import annotations

import itertools
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PORT = os.environ.get("BLUEPRINT_PG_PORT", "54329")
DEFAULT_URL = f"postgresql://blueprint_test@127.0.0.1:{PORT}/blueprint_test"
SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "start-postgres.sh"
PASSFILE = Path(os.environ.get("BLUEPRINT_PG_RUN", f"/tmp/blueprint-pg-{PORT}")) / "password"
_schemas = itertools.count(1)


@dataclass(frozen=True)
class PgServer:
    url: str
    password: str

    def connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.url, password=self.password, autocommit=True, connect_timeout=5)

    def schema_url(self, schema: str) -> str:
        return f"{self.url}?schema={schema}"


def _password() -> str:
    if os.environ.get("BLUEPRINT_TEST_PG_PASSWORD"):
        return os.environ["BLUEPRINT_TEST_PG_PASSWORD"]
    try:
        return PASSFILE.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _reachable(url: str, password: str) -> str | None:
    """None when a query works, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed: pip install -e '.[test]' (it brings the `postgres` extra)"
    try:
        with psycopg.connect(url, password=password, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    url = os.environ.get("BLUEPRINT_TEST_PG_URL", DEFAULT_URL)
    why = _reachable(url, _password())
    started = ""
    if why is not None and "BLUEPRINT_TEST_PG_URL" not in os.environ:
        run = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=900)
        started = f"\n`bash {SCRIPT}` exited {run.returncode}: {run.stderr.strip()[-1500:]}"
        why = _reachable(url, _password())
    if why is not None:
        pytest.fail(f"PostgreSQL is not reachable at {url}: {why}{started}\n"
                    f"Start the test server with `bash .ci/start-postgres.sh` (as root; .ci/run does it), or point "
                    f"BLUEPRINT_TEST_PG_URL and BLUEPRINT_TEST_PG_PASSWORD at another server.", pytrace=False)
    server = PgServer(url, _password())
    with pytest.MonkeyPatch.context() as mp:
        # the store and every `blueprint` process the tests start read the password from here
        mp.setenv("BLUEPRINT_PG_PASSWORD", server.password)
        yield server


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A store URL with a schema of its own (dropped afterwards)."""
    schema = f"t{os.getpid()}_{next(_schemas)}"
    with pg_server.connect() as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    yield pg_server.schema_url(schema)
    with pg_server.connect() as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def schema_at(monkeypatch: pytest.MonkeyPatch, version: int) -> None:
    """This blueprint as a release that knows the store's schema up to `version`
    (its migrations after that one not yet written): what it makes or reads is
    a store of that version, until `monkeypatch.undo()`."""
    from blueprint_cli.store import postgres

    monkeypatch.setattr(postgres, "MIGRATIONS", postgres.MIGRATIONS[:version])
    monkeypatch.setattr(postgres, "LATEST", version)


STORES = ("json", "postgres", "memory")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "json_store_only: the test looks at the JSON store's files; "
                                       "`store_kind` runs it for the JSON store alone")
    config.addinivalue_line("markers", "other_processes: the test opens the store from other processes; "
                                       "`store_kind` leaves out the in-memory store (tests/memory_store.py)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses `store_kind` (directly, or `pytestmark = usefixtures(...)`)
    runs once per store, unless it is marked `json_store_only`."""
    if "store_kind" in metafunc.fixturenames:
        only_json = metafunc.definition.get_closest_marker("json_store_only") is not None
        shared = metafunc.definition.get_closest_marker("other_processes") is not None
        kinds = ["json"] if only_json else [k for k in STORES if not (shared and k == "memory")]
        metafunc.parametrize("store_kind", kinds, indirect=True)


@pytest.fixture
def store_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test once per store. With "postgres", every workspace the test creates
    (`workspace.init`, so `blueprint init` too) keeps its records in a fresh schema of
    its own on the test server, unless the test names a store itself."""
    kind = str(getattr(request, "param", "json"))
    from blueprint_cli import workspace

    if kind == "memory":
        import memory_store  # registers memory://

        plain = workspace.init

        def in_memory(folder: Path, **kwargs: Any) -> Any:
            if kwargs.get("store") is None:
                kwargs["store"] = f"memory://{os.getpid()}-{next(_schemas)}"
            return plain(folder, **kwargs)

        monkeypatch.setattr(workspace, "init", in_memory)
        yield kind
        memory_store.forget_all()
        return
    if kind != "postgres":
        yield kind
        return

    server: PgServer = request.getfixturevalue("pg_server")
    schemas: list[str] = []
    plain_init = workspace.init

    def init(folder: Path, **kwargs: Any) -> Any:
        if kwargs.get("store") is None:
            schemas.append(f"t{os.getpid()}_{next(_schemas)}")
            kwargs["store"] = server.schema_url(schemas[-1])
        return plain_init(folder, **kwargs)

    monkeypatch.setattr(workspace, "init", init)
    yield kind
    with server.connect() as conn:
        for schema in schemas:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
