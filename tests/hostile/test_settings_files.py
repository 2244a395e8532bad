"""Hostile input, class 10: bad values in team.yaml and config.yaml. Every
value a YAML file can hold, in every place of either file, is a finding at its
line and column (lint: exit 1; a command that reads the file: exit 2, nothing
written) — never an AttributeError or a ValueError later."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from blueprint_cli.workspace.settings import Config
from blueprint_cli.language.schema import InvalidFile
from blueprint_cli.language.team import Team
from workspace_helpers import cli, deal_workspace

#: YAML scalars that have hurt before, or could: special floats, huge and
#: negative numbers, empty and odd text, dates, booleans, nothing.
SCALARS = [".nan", ".inf", "-.inf", "1e400", "-1", "0", "99999999999999999999999", "''", "' '", "null", "true",
           "2026-13-45", "'\\t'", "\"\\u0000\"", "x" * 300, "Mars/Olympus", "mon-funday", "'25:00-26:00'",
           "'17:00-09:00'", "'09:00-17:00'", "postgresql://", "json", "[]", "{}", "[[[]]]", "{a: {b: {c: 1}}}"]
TEAM_KEYS = ["users", "roles", "profiles", "role", "emial"]
USER_KEYS = ["roles", "profile", "email", "role", "emial", "password"]
CONFIG_KEYS = ["format", "outbox", "store", "smtp", "webhooks", "calendar", "calender"]
SECTION_KEYS = {
    "smtp": ["host", "port", "starttls", "ssl", "user", "password_env", "password", "from", "timeout", "attempts",
             "backoff", "ca_file"],
    "webhooks": ["timeout", "attempts", "backoff", "retries"],
    "calendar": ["days", "hours", "time_zone", "holidays", "timezone"],
}

scalar = st.sampled_from(SCALARS)


def flow(pairs: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"


def value_for(keys: list[str]) -> st.SearchStrategy[str]:
    nested = st.lists(st.tuples(st.sampled_from(keys), scalar), max_size=4).map(flow)
    listed = st.lists(scalar, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]")
    return st.one_of(scalar, nested, listed)


@st.composite
def team_text(draw: st.DrawFn) -> str:
    lines = []
    for key in draw(st.lists(st.sampled_from(TEAM_KEYS), unique=True, max_size=4)):
        if key == "users":
            users = draw(st.lists(st.tuples(st.sampled_from(["alice", "bob", "1", "'x y'", "null"]),
                                            value_for(USER_KEYS)), max_size=3, unique_by=lambda u: u[0]))
            lines.append("users:" + "".join(f"\n  {name}: {info}" for name, info in users))
        else:
            lines.append(f"{key}: {draw(value_for(TEAM_KEYS))}")
    return "\n".join(lines) + "\n"


@st.composite
def config_text(draw: st.DrawFn) -> str:
    lines = []
    for key in draw(st.lists(st.sampled_from(CONFIG_KEYS), unique=True, max_size=5)):
        inner = SECTION_KEYS.get(key, CONFIG_KEYS)
        lines.append(f"{key}: {draw(value_for(inner))}")
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=team_text())
def test_any_team_file_is_a_team_or_findings(tmp_path: Path, text: str) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    team, findings = Team.check(path)
    assert (team is None) == any(d.severity.value == "error" for d in findings), (text, findings)
    for d in findings:
        assert d.line >= 1 and d.col >= 1 and d.message
    if team is not None:
        for user in team.users.values():
            assert all(isinstance(r, str) and r for r in user.roles), text
    else:
        with pytest.raises(InvalidFile):
            Team.load(path)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=config_text())
# names the time zone database cannot even open as a file: too long, or a folder of it
@example(text="calendar: {time_zone: " + "x" * 300 + "}\n")
@example(text="calendar: {time_zone: America}\n")
def test_any_config_file_is_settings_or_findings(tmp_path: Path, text: str) -> None:
    root = tmp_path / ".blueprint"
    root.mkdir(exist_ok=True)
    (root / "config.yaml").write_text(text, encoding="utf-8")
    config = Config.of(root)
    findings = config.findings()
    for d in findings:
        assert d.line >= 1 and d.col >= 1 and d.message
    if findings:
        with pytest.raises(InvalidFile):
            Config.of(root).delivery  # noqa: B018
    else:  # every setting can be used as it is
        fresh = Config.of(root)
        assert fresh.delivery.webhooks.timeout > 0 and fresh.delivery.webhooks.retry.attempts >= 1
        assert fresh.calendar.day_length.total_seconds() > 0
        assert fresh.outbox.name


@pytest.mark.parametrize(("name", "text", "finding"), [
    ("team.yaml", "users: {alice: admin}\n", "team.yaml:1:16: error BP111 users.alice must be a mapping or "
                                             "nothing, not text"),
    ("team.yaml", "users:\n  alice: {roles: [.nan]}\n", "team.yaml:2:19: error BP111 users.alice.roles[0] must be "
                                                        "text, not .nan"),
    (".blueprint/config.yaml", "webhooks: {timeout: .nan}\n", ".blueprint/config.yaml:1:21: error BP111 "
                                                              "webhooks.timeout must be a number, not .nan"),
    (".blueprint/config.yaml", "webhooks: {backoff: .inf}\n", ".blueprint/config.yaml:1:21: error BP111 "
                                                              "webhooks.backoff must be a number, not .inf"),
    (".blueprint/config.yaml", "smtp: {host: x, port: 99999999999999999999}\n",
     ".blueprint/config.yaml:1:23: error BP114 smtp.port: 99999999999999999999 is greater than the maximum of 65535"),
])
def test_the_values_once_seen_as_tracebacks_are_findings(tmp_path: Path, name: str, text: str, finding: str) -> None:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    result = cli("lint", name, cwd=tmp_path)
    assert result.code == 1, result
    assert finding in result.out, result.out
    assert "Traceback" not in result.err


def test_a_command_reading_a_hostile_team_file_refuses_and_writes_nothing(tmp_path: Path) -> None:
    ws = deal_workspace(tmp_path)
    assert cli("--as", "alice", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
               cwd=tmp_path).code == 0
    before = ws.store.get("1")
    (tmp_path / ".blueprint" / "team.yaml").write_text("users: {alice: admin, bob: {roles: .nan}}\n")
    moved = cli("--as", "alice", "move", "1", "Negotiate", cwd=tmp_path)
    assert moved.code == 2 and "Traceback" not in moved.err
    assert "users.alice must be a mapping or nothing, not text" in " ".join(moved.err.split())
    assert ws.store.get("1") == before
