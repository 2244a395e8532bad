"""The workspace settings (blueprint_cli/workspace/settings.py): one reader and writer of
config.yaml, validated against the shipped schema, with findings at their
line and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from blueprint_cli.language import schema
from blueprint_cli.workspace.settings import Config, initial_text
from workspace_helpers import cli

REPO = Path(__file__).resolve().parent.parent


def settings(folder: Path, text: str) -> Path:
    root = folder / ".blueprint"
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(text, encoding="utf-8")
    return root / "config.yaml"


@pytest.mark.parametrize(("text", "expected"), [
    ("calender: {days: mon-fri}\n",
     "1:1: error BP110 unknown key 'calender' in the top level — did you mean 'calendar'?"),
    ("webhooks: {timeout: .nan}\n", "1:21: error BP111 webhooks.timeout must be a number, not .nan"),
    ("webhooks: {attempts: 0}\n", "1:22: error BP114 webhooks.attempts: 0 is less than the minimum of 1"),
    ("smtp: {host: mail.example.com, passwrd_env: PW}\n",
     "1:32: error BP110 unknown key 'passwrd_env' in smtp — did you mean 'password_env'?"),
    ("smtp: {host: mail.example.com, password: hunter2}\n",
     "1:32: error BP113 smtp.password: the password is never kept in the config"),
    ("smtp: {host: mail.example.com, ssl: true, starttls: true}\n",
     "1:37: error BP113 smtp: ssl and starttls exclude each other"),
    ("calendar: {time_zone: Mars/Olympus}\n", "1:23: error BP113 calendar: 'Mars/Olympus' is not a time zone"),
    ("calendar: {hours: 9 to 5}\n", "1:19: error BP113 calendar.hours: '9 to 5' is not valid (A range of hours like \"09:00-17:00\")"),
    ("calendar: {days: [mon, tue, xyz]}\n", "1:18: error BP113 calendar: 'xyz' is not a day"),
    ("store: files\n", "1:8: error BP113 store: 'files' is not valid (Write json, or a store URL"),
    ("- just\n- a list\n", "1:1: error BP102 the top level is a list, not a mapping\n"
                           "    hint: workspace settings are a mapping"),
])
def test_lint_reports_each_bad_setting_at_its_line(tmp_path: Path, text: str, expected: str) -> None:
    settings(tmp_path, text)
    result = cli("lint", ".blueprint/config.yaml", cwd=tmp_path)
    assert result.code == 1, result.out
    assert f".blueprint/config.yaml:{expected}" in result.out
    assert "Traceback" not in result.out + result.err


def test_the_settings_blueprint_init_writes_are_clean(tmp_path: Path) -> None:
    settings(tmp_path, initial_text("postgresql://crm@127.0.0.1:5432/crm"))
    result = cli("lint", ".blueprint/config.yaml", cwd=tmp_path)
    assert result.code == 0, result.out
    assert Config.of(tmp_path / ".blueprint").store == "postgresql://crm@127.0.0.1:5432/crm"


def test_reading_a_bad_setting_is_a_usage_error_naming_every_problem(tmp_path: Path) -> None:
    from blueprint_cli.language.schema import InvalidFile

    path = settings(tmp_path, "calender: {}\nwebhooks: {timeout: .nan}\n")
    config = Config(path, ".blueprint/config.yaml")
    with pytest.raises(InvalidFile) as caught:
        config.delivery  # noqa: B018
    assert caught.value.exit_code == 2
    assert caught.value.message.splitlines()[1:] == [
        "  .blueprint/config.yaml:1:1: unknown key 'calender' in the top level — did you mean 'calendar'?",
        "  .blueprint/config.yaml:2:21: webhooks.timeout must be a number, not .nan",
    ]


def test_settings_come_from_the_file(tmp_path: Path) -> None:
    path = settings(tmp_path, "outbox: mail\nwebhooks: {timeout: 2.5, attempts: 2}\n"
                              "calendar: {days: mon-thu, hours: '08:00-12:00'}\n")
    config = Config(path)
    assert config.outbox == tmp_path / ".blueprint" / "mail"
    assert config.delivery.webhooks.timeout == 2.5 and config.delivery.webhooks.retry.attempts == 2
    assert config.calendar.describe().startswith("mon, tue, wed, thu 08:00-12:00")
    assert config.store is None


def test_no_file_is_the_defaults(tmp_path: Path) -> None:
    config = Config.of(tmp_path)
    assert (config.store, config.outbox, config.findings()) == (None, tmp_path / "outbox", [])
    assert config.calendar.describe().startswith("mon, tue, wed, thu, fri 09:00-17:00")


def test_pointing_at_another_store_changes_only_the_store_line(tmp_path: Path) -> None:
    text = initial_text() + "# our own note about the store below\nstore: json   # for now\n# last line\n"
    path = settings(tmp_path, text)
    config = Config(path)
    config.set_store("postgresql://crm@127.0.0.1/crm")
    after = path.read_text()
    assert after.replace("# Records live in PostgreSQL. The password is never kept here: it comes from\n"
                         "# $BLUEPRINT_PG_PASSWORD, $PGPASSWORD or ~/.pgpass.\n"
                         "store: postgresql://crm@127.0.0.1/crm\n", "store: json   # for now\n") == text
    assert config.store == "postgresql://crm@127.0.0.1/crm"
    config.set_store(None)
    assert path.read_text() == initial_text() + "# our own note about the store below\n# last line\n"
    assert Config(path).store is None


def test_a_url_with_a_yaml_character_is_written_quoted(tmp_path: Path) -> None:
    path = settings(tmp_path, "")
    url = "postgresql://crm@127.0.0.1/crm?application_name=a#b"
    Config(path).set_store(url)
    assert f'store: "{url}"' in path.read_text()
    assert Config(path).store == url


def test_the_config_schema_is_shipped_where_editors_find_it() -> None:
    shipped = json.loads((REPO / "schemas" / "config.schema.json").read_text())
    assert shipped == schema.schema("config.schema.json")


def test_finding_the_json_store_does_not_load_the_yaml_parser(tmp_path: Path) -> None:
    """Every command finds its store first; on the default JSON store that must
    not cost a YAML parse (bench/config.py measures it)."""
    import subprocess
    import sys

    settings(tmp_path, initial_text())
    code = ("import sys; from pathlib import Path; from blueprint_cli.workspace.settings import Config; "
            f"assert Config.of(Path({str(tmp_path / '.blueprint')!r})).store is None; "
            "print(sorted(m for m in sys.modules if m.startswith(('ruamel', 'jsonschema', 'blueprint_cli.language.loader'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_command_that_reads_a_bad_setting_refuses_before_writing(tmp_path: Path) -> None:
    from workspace_helpers import deal_workspace

    ws = deal_workspace(tmp_path)
    assert cli("--as", "alice", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
               cwd=tmp_path).code == 0
    before = ws.store.get("1")
    config = tmp_path / ".blueprint" / "config.yaml"
    config.write_text(config.read_text() + "calender: {days: mon-fri}\n")
    line = len(config.read_text().splitlines())  # the line just written
    ticked = cli("tick", "--now", "2027-01-01T09:00:00+00:00", cwd=tmp_path)
    assert ticked.code == 2
    shown = "".join(ticked.err.split())  # long paths are wrapped to the terminal
    assert f"config.yaml:{line}:1:unknownkey'calender'inthetoplevel—didyoumean'calendar'?" in shown
    assert ws.store.get("1") == before


def test_a_scenario_files_calendar_is_the_workspace_calendar_setting() -> None:
    assert schema.schema("scenario.schema.json")["definitions"]["calendar"]["properties"] == \
        schema.schema("config.schema.json")["properties"]["calendar"]["properties"]
