"""E-mail for real: an SMTP server (aiosmtpd) on 127.0.0.1 receives what `email`
actions send — recipients resolved from the team file, templates filled in,
STARTTLS and login, retries on transient failures — and without a server in
the config the outbox is used as before."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from blueprint_cli.actions.delivery import Retry, SmtpSettings
from blueprint_cli.actions.delivery import smtp as smtp_delivery
from delivery_servers import MailServer, free_port, self_signed, smtp_server
from workspace_helpers import cli

TEAM = """\
users:
  alice: {roles: [sales_rep], email: alice@example.com}
  bob:   {roles: [sales_manager], email: bob@example.com}
  bea:   {roles: [sales_manager], email: bea@example.com}
  nomail: {roles: [sales_rep]}
"""

BLUEPRINT = """\
blueprint: quotes
module: Quotes
field: stage
fields:
  customer: {type: text}
  amount: {type: currency}
  contact: {type: email}
states:
  - name: Draft
  - name: Sent
  - name: Done
    final: true
transitions:
  - name: Send
    from: Draft
    to: Sent
    then:
      - email:
          to: "role:sales_manager"
          subject: "Quote for {{record.customer}}: {{record.amount}} EUR"
          body: "{{user}} sent the quote for {{record.customer}} at {{now}}."
      - email: {to: record_owner, subject: "You sent {{record.customer}}"}
      - email: {to: "{{record.contact}}", subject: "Your quote"}
  - name: Close
    from: Sent
    to: Done
    then:
      - email: {to: "user:nomail", subject: "nobody can read this"}
"""


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def message(subject: str = "Hello") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "blueprint@example.com", "bob@example.com", subject
    msg.set_content("body text")
    return msg


@pytest.fixture()
def mail() -> Iterator[MailServer]:
    with smtp_server() as server:
        yield server


def settings(server: MailServer, **kw: object) -> SmtpSettings:
    base: dict[str, object] = {"host": server.host, "port": server.port, "starttls": False,
                               "sender": "blueprint@example.com", "timeout": 5, "retry": Retry(3, 1)}
    base.update(kw)
    return SmtpSettings(**base)  # type: ignore[arg-type]


def test_sends_to_every_recipient(mail: MailServer) -> None:
    sent, attempts, note, _left = smtp_delivery.send(message(), ["bob@example.com", "bea@example.com"],
                                                     settings(mail), sleep=Sleeps())
    assert (sent, attempts, note) == (True, 1, None)
    (got,) = mail.received
    assert got.sender == "blueprint@example.com" and got.recipients == ["bob@example.com", "bea@example.com"]
    assert got.message["Subject"] == "Hello" and got.message.get_payload().strip() == "body text"


def test_transient_failures_are_retried_with_backoff(mail: MailServer) -> None:
    mail.fail_next = 2
    sleeps = Sleeps()
    sent, attempts, _, _left = smtp_delivery.send(message(), ["bob@example.com"], settings(mail), sleep=sleeps)
    assert (sent, attempts, mail.attempts, len(mail.received)) == (True, 3, 3, 1) and sleeps == [1, 2]


def test_permanent_refusal_is_not_retried(mail: MailServer) -> None:
    mail.fail_next, mail.fail_reply = 5, "554 5.7.1 Message rejected"
    sleeps = Sleeps()
    sent, attempts, error, _left = smtp_delivery.send(message(), ["bob@example.com"], settings(mail), sleep=sleeps)
    assert (sent, attempts, mail.attempts) == (False, 1, 1) and error == "554 5.7.1 Message rejected"
    assert sleeps == []


def test_no_server_is_retried_then_reported() -> None:
    down = SmtpSettings("127.0.0.1", free_port(), starttls=False, timeout=2, retry=Retry(2, 0.5))
    sleeps = Sleeps()
    sent, attempts, error, _left = smtp_delivery.send(message(), ["bob@example.com"], down, sleep=sleeps)
    assert (sent, attempts) == (False, 2) and "connection refused" in (error or "") and sleeps == [0.5]


def test_starttls_and_login_with_a_password_from_the_environment(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with smtp_server(tls=(cert, key), users={"robot": "pa55"}) as server:
        ok = settings(server, starttls=True, user="robot", password_env="SMTP_PW", ca_file=str(cert))
        assert smtp_delivery.send(message(), ["bob@example.com"], ok, sleep=Sleeps(), env={"SMTP_PW": "pa55"})[0]
        (got,) = server.received
        assert got.tls and got.login == "robot"
        sent, attempts, error, _left = smtp_delivery.send(message(), ["bob@example.com"], ok, sleep=Sleeps(),
                                                   env={"SMTP_PW": "wrong"})
        assert (sent, attempts) == (False, 1) and "login as robot refused: 535" in (error or "")
        sent, attempts, error, _left = smtp_delivery.send(message(), ["bob@example.com"], ok, sleep=Sleeps(), env={})
        assert (sent, attempts) == (False, 0) and error == "the SMTP password's environment variable SMTP_PW is not set"
        # a certificate nobody vouches for is refused
        untrusted = settings(server, starttls=True, user="robot", password_env="SMTP_PW", retry=Retry(1, 0))
        sent, _, error, _left = smtp_delivery.send(message(), ["bob@example.com"], untrusted, sleep=Sleeps(),
                                            env={"SMTP_PW": "pa55"})
        assert not sent and "TLS error" in (error or "")
        assert len(server.received) == 1


# ----- through the workspace ------------------------------------------------------------------------

def workspace(folder: Path, config: str = "") -> Path:
    assert cli("init", "--no-sample", str(folder)).code == 0
    (folder / ".blueprint" / "team.yaml").write_text(TEAM, encoding="utf-8")
    if config:
        with open(folder / ".blueprint" / "config.yaml", "a", encoding="utf-8") as f:
            f.write(config)
    (folder / "quotes.yaml").write_text(BLUEPRINT, encoding="utf-8")
    assert cli("--as", "bob", "publish", "quotes.yaml", cwd=folder).code == 0
    assert cli("--as", "alice", "record", "create", "Quotes", "--set", "customer=Acme", "--set", "amount=1200",
               "--set", "contact=buyer@acme.test", cwd=folder).code == 0
    return folder


def test_email_actions_go_over_smtp_when_configured(tmp_path: Path, mail: MailServer) -> None:
    ws = workspace(tmp_path, f"smtp: {{host: 127.0.0.1, port: {mail.port}, starttls: false, "
                             "from: \"Blueprint <robot@example.com>\"}\n")
    r = cli("--as", "alice", "move", "1", "Send", cwd=ws)
    assert r.code == 0, r
    managers, owner, contact = mail.received
    assert managers.sender == "robot@example.com" and managers.recipients == ["bob@example.com", "bea@example.com"]
    msg = managers.message
    assert msg["Subject"] == "Quote for Acme: 1200 EUR" and msg["From"] == "Blueprint <robot@example.com>"
    assert msg.get_payload().strip().startswith("alice sent the quote for Acme at 20")
    assert msg["X-Blueprint-Record"] == "Quotes 1" and msg["X-Blueprint-Transition"] == "quotes: Send"
    assert owner.recipients == ["alice@example.com"] and owner.message["Subject"] == "You sent Acme"
    assert contact.recipients == ["buyer@acme.test"]
    actions = cli("--json", "history", "1", cwd=ws).json()[-1]["actions"]  # type: ignore[index]
    assert [a["status"] for a in actions] == ["done", "done", "done"]
    assert f"sent via 127.0.0.1:{mail.port}" in actions[0]["detail"]
    assert not (ws / ".blueprint" / "outbox").exists()


def test_without_a_server_the_outbox_is_used(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    assert cli("--as", "alice", "move", "1", "Send", cwd=ws).code == 0
    files = sorted((ws / ".blueprint" / "outbox").iterdir())
    assert len(files) == 3
    assert b"To: bob@example.com, bea@example.com" in files[0].read_bytes()


def test_nobody_with_an_address_fails_and_is_not_retryable(tmp_path: Path, mail: MailServer) -> None:
    ws = workspace(tmp_path, f"smtp: {{host: 127.0.0.1, port: {mail.port}, starttls: false}}\n")
    cli("--as", "alice", "move", "1", "Send", cwd=ws)
    r = cli("--as", "alice", "move", "1", "Close", cwd=ws)
    assert r.code == 0 and "no e-mail address for user:nomail (nomail)" in r.out
    assert cli("retry", cwd=ws).out.startswith("nothing to retry")


def test_a_server_that_is_down_then_up_with_retry(tmp_path: Path) -> None:
    port = free_port()
    ws = workspace(tmp_path, f"smtp: {{host: 127.0.0.1, port: {port}, starttls: false, attempts: 2, backoff: 0}}\n")
    r = cli("--as", "alice", "move", "1", "Send", cwd=ws)
    assert r.code == 0 and r.out.count("✗ email") == 3 and "connection refused" in r.out
    assert cli("--json", "record", "show", "1", cwd=ws).json()["state"] == "Sent"  # type: ignore[index]
    from aiosmtpd.controller import Controller

    from delivery_servers import MailServer as Box, _Handler

    box = Box("127.0.0.1", port)
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        r = cli("retry", cwd=ws)
        assert r.code == 0 and r.out.count("✓") == 3
        assert sorted(m.message["Subject"] for m in box.received) == \
            ["Quote for Acme: 1200 EUR", "You sent Acme", "Your quote"]
        assert cli("retry", cwd=ws).code == 0 and len(box.received) == 3  # never twice
    finally:
        controller.stop()
    actions = cli("--json", "history", "1", cwd=ws).json()[-1]["actions"]  # type: ignore[index]
    assert [(a["status"], a["attempts"]) for a in actions] == [("done", 3)] * 3


@pytest.mark.parametrize(("setting", "message"), [
    ("smtp: {host: mail.example.com, password: hunter2}", "the password is never kept in the config"),
    ("smtp: {port: 25}", "missing required key 'host' in smtp"),
    ("smtp: {host: mail.example.com, user: robot}", "smtp.user and smtp.password_env go together"),
    ("smtp: {host: mail.example.com, ssl: true, starttls: true}", "ssl and starttls exclude each other"),
    ("smtp: {host: mail.example.com, port: http}", "smtp.port must be a whole number, not text"),
])
def test_bad_smtp_settings_are_usage_errors(tmp_path: Path, setting: str, message: str) -> None:
    ws = workspace(tmp_path, setting + "\n")
    r = cli("--as", "alice", "move", "1", "Send", cwd=ws)
    assert r.code == 2 and message in r.err and "Traceback" not in r.err


# ----- the outbox after a crash: at least once ----------------------------------------------------------

DIE_AFTER_FIRST_EML = """\
import os, signal, sys
from blueprint_cli import actions
from blueprint_cli.cli.main import run

write = actions.atomic_write

def write_then_die(path, data, **kw):
    write(path, data, **kw)
    os.kill(os.getpid(), signal.SIGKILL)  # the .eml is there; its outcome is not recorded

actions.atomic_write = write_then_die
run(sys.argv[1:])
"""


def test_a_kill_between_the_outbox_file_and_its_record_means_the_mail_is_written_again(tmp_path: Path) -> None:
    import email
    import os
    import signal
    import subprocess
    import sys

    ws = workspace(tmp_path)
    script = tmp_path / "die.py"
    script.write_text(DIE_AFTER_FIRST_EML, encoding="utf-8")
    path = os.pathsep.join([str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path, "BLUEPRINT_USER": "alice"}
    killed = subprocess.run([sys.executable, str(script), "move", "1", "Send"], cwd=ws, env=env, capture_output=True)
    assert killed.returncode == -signal.SIGKILL, killed
    outbox = ws / ".blueprint" / "outbox"
    [first] = list(outbox.iterdir())
    # the move is committed, its e-mails pending: the record says what was not recorded as sent
    record = cli("--json", "record", "show", "1", cwd=ws).json()
    assert record["state"] == "Sent" and record["undelivered"] == 3  # type: ignore[index]

    again = cli("retry", cwd=ws)
    assert again.code == 0 and again.out.count("✓") == 3, again
    ids = [email.message_from_bytes(p.read_bytes())["Message-ID"] for p in sorted(outbox.iterdir())]
    # at least once: the e-mail written before the kill is written again, with the same Message-ID
    assert len(ids) == 4 and len(set(ids)) == 3
    assert ids.count(email.message_from_bytes(first.read_bytes())["Message-ID"]) == 2
    assert cli("retry", cwd=ws).out.startswith("nothing to retry") and len(list(outbox.iterdir())) == 4
