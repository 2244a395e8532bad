"""`blueprint move` on a real terminal (a pseudo-terminal driven by pexpect):
what the user answers is never thrown away, picklists list their values and
take any case, yes/no questions take `yes`, and Ctrl-C or Ctrl-D cancel with
exit 130 and the command line to go on from."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from workspace_helpers import cli

pexpect = pytest.importorskip("pexpect")

SUPPORT = Path(__file__).parent.parent / "sample_blueprints" / "support-ticket.yaml"


@pytest.fixture()
def ticket(tmp_path: Path) -> Path:
    """A workspace with case 1 in Triage, where erin may declare an incident."""
    assert cli("init", str(tmp_path)).code == 0
    assert cli("--as", "grace", "publish", str(SUPPORT), cwd=tmp_path).code == 0
    assert cli("--as", "erin", "record", "create", "Cases", "--set", "subject=Site down",
               "--set", "customer_email=ana@example.com", cwd=tmp_path).code == 0
    assert cli("--as", "erin", "move", "1", "Pick up", cwd=tmp_path).code == 0
    return tmp_path


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BLUEPRINT_WORKSPACE", "BLUEPRINT_USER")}
    env.update(NO_COLOR="1", COLUMNS="250", PYTHONPATH=os.pathsep.join(sys.path))
    return env


def spawn(folder: Path, *args: str) -> pexpect.spawn:
    child = pexpect.spawn(sys.executable, ["-m", "blueprint_cli", *args], cwd=str(folder), env=_env(),
                          encoding="utf-8", timeout=30, dimensions=(50, 250))
    return child


def finish(child: pexpect.spawn) -> tuple[str, int]:
    child.expect(pexpect.EOF)
    child.close()
    return child.before, child.exitstatus


def answer_fields(child: pexpect.spawn) -> None:
    child.expect_exact("Product (Web app, Mobile app, API, Billing): ")  # the values are listed
    child.sendline("api")                                                # any case
    child.expect_exact("Users affected (integer): ")
    child.sendline("12")
    child.expect_exact("Customer phone (phone): ")
    child.sendline("+49 30 1234567")


def state(folder: Path) -> str:
    record = cli("--json", "record", "show", "1", cwd=folder).json()
    assert isinstance(record, dict)
    return str(record["state"])


def test_a_declined_checklist_item_keeps_every_answer(ticket: Path) -> None:
    child = spawn(ticket, "--as", "erin", "move", "1", "Declare incident")
    answer_fields(child)
    child.expect_exact("Reproduced the problem [y/n]: ")
    child.sendline("yes")  # a word, not only y
    child.expect_exact("Checked the status page [y/n]: ")
    child.sendline("n")
    tail, code = finish(child)
    assert code == 1, tail
    # the refusal names only what is really missing ...
    assert "checklist not ticked: Checked the status page" in tail
    for answered in ("Product is required", "Users affected is required", "Customer phone is required",
                     "Reproduced the problem,"):
        assert answered not in tail, tail
    # ... and gives the command line with the answers filled in, shell-quoted
    command = tail.split("run it: ", 1)[1].strip()
    assert command == ("blueprint --as erin move 1 'Declare incident' --set product=API --set affected_users=12"
                       " --set 'customer_phone=+49 30 1234567' --check 'Reproduced the problem'"
                       " --check 'Checked the status page'"), command
    assert state(ticket) == "Triage"
    # once the status page is checked, that line does the move as it is
    argv = shlex.split(command)
    assert argv[0] == "blueprint"
    done = subprocess.run([sys.executable, "-m", "blueprint_cli", *argv[1:]], cwd=ticket, env=_env(),
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert "Triage → In Progress" in done.stdout
    record = cli("--json", "record", "show", "1", cwd=ticket).json()
    assert isinstance(record, dict)
    assert record["fields"]["product"] == "API" and record["fields"]["customer_phone"] == "+49 30 1234567"


def test_picklist_prompt_lists_the_values_after_a_wrong_answer(ticket: Path) -> None:
    child = spawn(ticket, "--as", "erin", "move", "1", "Declare incident")
    child.expect_exact("Product (Web app, Mobile app, API, Billing): ")
    child.sendline("Billingx")
    child.expect_exact("must be one of: Web app, Mobile app, API, Billing (did you mean 'Billing'?)")
    child.sendline("billing")
    child.expect_exact("Users affected (integer): ")
    child.sendline("3")
    child.expect_exact("Customer phone (phone): ")
    child.sendline("+49 30 1234567")
    child.expect_exact("Reproduced the problem [y/n]: ")
    child.sendline("maybe")
    child.expect_exact("Please answer yes or no")
    child.sendline("Y")
    child.expect_exact("Checked the status page [y/n]: ")
    child.sendline("YES")
    tail, code = finish(child)
    assert code == 0, tail
    assert "Triage → In Progress" in tail and "product: — → Billing" in tail


@pytest.mark.parametrize("key", ["Ctrl-C", "Ctrl-D"])
def test_ctrl_c_or_ctrl_d_at_a_prompt_cancels_with_130_and_keeps_the_answers(ticket: Path, key: str) -> None:
    child = spawn(ticket, "--as", "erin", "move", "1", "Declare incident")
    child.expect_exact("Product (Web app, Mobile app, API, Billing): ")
    child.sendline("Mobile App")
    child.expect_exact("Users affected (integer): ")
    if key == "Ctrl-C":
        child.sendintr()
    else:
        child.sendeof()
    tail, code = finish(child)
    assert code == 130, tail
    assert "Aborted" not in tail and "Traceback" not in tail
    # the message starts on a line of its own, not after the prompt
    assert f"\r\nerror: cancelled ({key}): record 1 is unchanged" in tail, repr(tail)
    assert "--set 'product=Mobile app' --set affected_users=VALUE" in tail
    assert state(ticket) == "Triage"


def test_set_takes_a_picklist_value_in_any_case(ticket: Path) -> None:
    r = cli("--as", "erin", "move", "1", "Start work", "--set", "product=mobile APP", "--yes", cwd=ticket)
    assert r.code == 0, r
    record = cli("--json", "record", "show", "1", cwd=ticket).json()
    assert isinstance(record, dict) and record["fields"]["product"] == "Mobile app"


def test_a_required_field_at_its_default_is_asked_with_the_default_proposed(ticket: Path) -> None:
    # Start work requires priority, which holds its default (Normal): asked, not taken unseen
    child = spawn(ticket, "--as", "erin", "move", "1", "Start work")
    child.expect_exact("Priority (Low, Normal, High, Urgent) (Normal): ")  # the default is shown
    child.sendline("")                                                   # Enter accepts it
    child.expect_exact("Product (Web app, Mobile app, API, Billing): ")  # no default: nothing proposed
    child.sendline("api")
    tail, code = finish(child)
    assert code == 0, tail
    assert "Triage → In Progress" in tail
    record = cli("--json", "record", "show", "1", cwd=ticket).json()
    assert isinstance(record, dict) and record["state"] == "In Progress"
    assert (record["fields"]["priority"], record["fields"]["product"]) == ("Normal", "API")


def test_a_proposed_default_can_be_replaced_and_a_yes_no_default_is_shown(tmp_path: Path) -> None:
    deals = Path(__file__).parent.parent / "sample_blueprints" / "deal-follow-up.yaml"
    assert cli("init", str(tmp_path)).code == 0
    assert cli("--as", "grace", "publish", str(deals), cwd=tmp_path).code == 0
    assert cli("--as", "alice", "record", "create", "Deals", "--set", "name=Acme", "--set", "amount=5000",
               cwd=tmp_path).code == 0
    assert cli("--as", "alice", "move", "1", "Negotiate", "--set", "close_on=2026-12-01", "--check", "Budget confirmed",
               "--check", "Decision maker identified", "--note", "ok", cwd=tmp_path).code == 0
    (tmp_path / "draft.pdf").write_bytes(b"%PDF-1.4 draft")
    child = spawn(tmp_path, "--as", "alice", "move", "1", "Request discount", "--note", "three years")
    child.expect_exact("Discount (%) (percent) (0): ")
    child.sendline("15")  # another value than the one proposed
    tail, code = finish(child)
    assert code == 0 and "discount: 0 → 15" in tail, tail
    assert cli("--as", "bob", "move", "1", "Decide discount", cwd=tmp_path).code == 0  # 15 is no default: not asked
    child = spawn(tmp_path, "--as", "carol", "move", "1", "Legal approval", "--attach", "draft.pdf")
    child.expect_exact("Contract signed by customer [y/n] (n): ")  # a boolean's default, as y/n
    child.sendline("")
    tail, code = finish(child)
    assert code == 0 and "Legal approval done" in tail, tail
    record = cli("--json", "record", "show", "1", cwd=tmp_path).json()
    assert isinstance(record, dict) and record["fields"]["signed"] is False
