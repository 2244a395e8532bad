"""`blueprint lsp` completion and hover, over stdio with a real client, on the
sample blueprints and on buffers being typed into (which do not parse)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import pytest_asyncio
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from blueprint_cli.check import load_blueprint
from blueprint_cli.check.rules import catalogue
from blueprint_cli.language import wording
from blueprint_cli.language.fieldtypes import OPERATORS_BY_TYPE
from blueprint_cli.language.model import AllOf
from lsp_helpers import SAMPLES, Editor, at, config, doc, start

pytestmark = pytest.mark.asyncio(loop_scope="module")

DEAL = (SAMPLES / "deal-follow-up.yaml").read_text("utf-8")
STATES = ["Qualification", "Negotiation", "Discount Approval", "Legal Review", "Closed Won", "Closed Lost"]


@pytest_lsp.fixture(config=config(), scope="module")
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    await start(lsp_client)
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ws")
    (root / ".blueprint").mkdir()
    (root / ".blueprint" / "workspace.json").write_text('{"format": 1}', "utf-8")
    (root / ".blueprint" / "team.yaml").write_text(
        "users:\n  ann: {roles: [sales_rep]}\n  bob: {roles: [sales_manager, legal, finance]}\n"
        "  grace: {roles: [director], profile: admin}\n", "utf-8")
    folder = root / "blueprints"
    folder.mkdir()
    for name in ("deal-follow-up.yaml", "deal-follow-up.scenarios.yaml"):
        shutil.copy(SAMPLES / name, folder / name)
    return folder


async def complete(client: LanguageClient, path: Path, text: str, needle: str,
                   offset: int | None = None) -> list[lsp.CompletionItem]:
    """Type `text` into the open file and ask for completion just after `needle`."""
    editor = Editor(client)
    await editor.change(path, text)
    pos = at(text, needle, len(needle) if offset is None else offset)
    found = await client.text_document_completion_async(lsp.CompletionParams(doc(path), pos))
    assert isinstance(found, lsp.CompletionList)
    return found.items


def labels(items: list[lsp.CompletionItem]) -> list[str]:
    return [i.label for i in items]


def applied(text: str, needle: str, item: lsp.CompletionItem) -> str:
    """The line holding `needle` after the completion's edit."""
    edit = item.text_edit
    assert isinstance(edit, lsp.TextEdit)
    lines = text.split("\n")
    line = lines[edit.range.start.line]
    assert needle in line
    return line[:edit.range.start.character] + edit.new_text + line[edit.range.end.character:]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def deal(client: LanguageClient, workspace: Path) -> Path:
    path = workspace / "deal-follow-up.yaml"
    assert await Editor(client).open(path) == []
    return path


async def test_states_in_to_from_else_and_entry(client: LanguageClient, deal: Path) -> None:
    text = DEAL.replace("    to: Negotiation\n", "    to: Neg\n", 1)  # half typed: still YAML, wrong name
    items = await complete(client, deal, text, "to: Neg")
    assert labels(items) == STATES
    negotiation = items[STATES.index("Negotiation")]
    assert applied(text, "to: Neg", negotiation).strip() == "to: Negotiation"
    text = DEAL.replace("    from: Negotiation\n    to: Discount Approval", "    from: [Qualification, \n", 1)
    items = await complete(client, deal, text, "from: [Qualification, ")
    assert labels(items) == STATES
    assert applied(text, "from: [Q", items[2]).strip() == "from: [Qualification, Discount Approval"
    text = DEAL.replace("      - else: Negotiation", "      - else: ", 1)
    assert labels(await complete(client, deal, text, "- else: ")) == STATES
    text = DEAL.replace("  state: Qualification", "  state: Q", 1)
    assert labels(await complete(client, deal, text, "  state: Q")) == STATES


async def test_fields_in_criteria_requirements_and_set(client: LanguageClient, deal: Path) -> None:
    declared = ["name", "amount", "discount", "probability", "close_on", "signed", "reason", "competitor"]
    text = DEAL.replace("{field: amount, gte: 1000}", "{field: am", 1)
    found = labels(await complete(client, deal, text, "{field: am"))
    assert found[:len(declared)] == declared and {"stage", "owner", "tags"} <= set(found)
    text = DEAL.replace("      fields: [close_on]", "      fields: [close_on, ", 1)
    assert labels(await complete(client, deal, text, "fields: [close_on, ")) == declared
    text = DEAL.replace("      - set: {probability: 40}", "      - set: {", 1)
    assert labels(await complete(client, deal, text, "- set: {")) == declared
    # an apostrophe inside a plain value opens no quote: the next key is still a field
    text = DEAL.replace("      - set: {probability: 40}", "      - set: {name: Bob's deal, ", 1)
    assert labels(await complete(client, deal, text, "{name: Bob's deal, ")) == declared
    text = DEAL.replace("        - {field: name, not_contains: \"TEST\"}", "        - field: ", 1)
    assert labels(await complete(client, deal, text, "- field: "))[:len(declared)] == declared


async def test_operators_fit_the_fields_type(client: LanguageClient, deal: Path) -> None:
    text = DEAL.replace("{field: amount, gte: 1000}", "{field: amount, ", 1)
    items = await complete(client, deal, text, "- {field: amount, ")
    assert set(labels(items)) == set(OPERATORS_BY_TYPE["currency"])
    assert "starts_with" not in labels(items)
    gte = next(i for i in items if i.label == "gte")
    assert applied(text, "- {field: amount, ", gte) == "        - {field: amount, gte: "
    text = DEAL.replace("{field: name, not_contains: \"TEST\"}", "{field: name, ", 1)
    assert set(labels(await complete(client, deal, text, "{field: name, "))) == set(OPERATORS_BY_TYPE["text"])
    # block style: the operator under `field:`
    text = DEAL.replace("      - when: {field: discount, lte: 20}", "      - when:\n          field: signed\n          ", 1)
    found = labels(await complete(client, deal, text, "field: signed\n          "))
    assert set(found) == set(OPERATORS_BY_TYPE["boolean"])


async def test_values_of_a_picklist_and_states_of_the_state_field(client: LanguageClient, deal: Path) -> None:
    text = DEAL.replace("{field: signed, ne: true}", "{field: reason, in: [Price, ", 1)
    assert labels(await complete(client, deal, text, "in: [Price, ")) == \
        ["Price", "Competitor", "No budget", "Timing", "No decision"]
    text = DEAL.replace("{field: state, ne: Legal Review}", "{field: state, ne: ", 1)
    items = await complete(client, deal, text, "{field: state, ne: ")
    assert labels(items) == STATES
    assert applied(text, "{field: state, ne: ", items[3]).strip() == "- {field: state, ne: Legal Review"


async def test_owners_come_from_the_workspace_team(client: LanguageClient, deal: Path) -> None:
    text = DEAL.replace('owners: ["role:sales_rep", record_owner]', 'owners: ["role:sales_rep", ', 1)
    items = await complete(client, deal, text, 'owners: ["role:sales_rep", ')
    assert labels(items) == ["record_owner", "anyone", "role:director", "role:finance", "role:legal",
                             "role:sales_manager", "role:sales_rep", "user:ann", "user:bob", "user:grace",
                             "profile:admin"]
    role = items[labels(items).index("role:legal")]
    assert applied(text, "owners: [", role).strip() == 'owners: ["role:sales_rep", "role:legal"'


async def test_transitions_and_users_in_a_scenario_file(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "deal-follow-up.scenarios.yaml"
    text = path.read_text("utf-8")
    editor = Editor(client)
    assert await editor.open(path) == []
    typed = text.replace("        move: Send to legal\n", "        move: Se\n", 1)
    found = labels(await complete(client, path, typed, "move: Se"))
    assert found == ["Negotiate", "Request discount", "Send to legal", "Decide discount", "Sign-off", "Lose",
                     "Legal approval", "Finance approval"]
    typed = text.replace("      - as: carol\n", "      - as: \n", 1)
    assert labels(await complete(client, path, typed, "      - as: ")) == \
        ["alice", "bob", "carol", "dave", "grace", "mallory"]  # the scenario file's own team
    editor.close(path)


async def test_rule_codes_in_a_suppression_comment(client: LanguageClient, deal: Path) -> None:
    text = DEAL.replace("priority: 10 ", "priority: 10  # blueprint: disable=BP30", 1)
    items = await complete(client, deal, text, "disable=BP30")
    assert "BP301" in labels(items) and all(i.startswith("BP") for i in labels(items))
    assert items[labels(items).index("BP301")].detail == catalogue()["BP301"].summary


async def test_completion_in_a_buffer_that_does_not_parse(client: LanguageClient, deal: Path) -> None:
    text = DEAL.replace("    to: Negotiation\n", "    to: [Neg\n", 1)  # an unclosed bracket: BP100
    items = await complete(client, deal, text, "to: [Neg")
    assert labels(items) == STATES


# ----- hover -------------------------------------------------------------------------------------

async def hover_text(client: LanguageClient, path: Path, text: str, needle: str, offset: int = 1,
                     occurrence: int = 0) -> str:
    pos = at(text, needle, offset, occurrence)
    found = await client.text_document_hover_async(lsp.HoverParams(doc(path), pos))
    assert found is not None and isinstance(found.contents, lsp.MarkupContent)
    return found.contents.value


async def test_hover_on_a_state(client: LanguageClient, deal: Path) -> None:
    await Editor(client).change(deal, DEAL)
    bp = load_blueprint(SAMPLES / "deal-follow-up.yaml")
    shown = await hover_text(client, deal, DEAL, "to: Negotiation", 5)
    assert "**state** `Negotiation`" in shown
    assert "**in:** Negotiate (from Qualification); Decide discount (from Discount Approval)" in shown
    assert "**out:** Request discount → Discount Approval; Send to legal → Legal Review; Lose → Closed Lost" in shown
    shown = await hover_text(client, deal, DEAL, "- name: Qualification", 9)
    qualification = bp.state("Qualification")
    assert qualification is not None and qualification.sla is not None
    assert f"**SLA:** {wording.sla(qualification.sla)}" in shown and "records start here" in shown


async def test_hover_on_a_field(client: LanguageClient, deal: Path) -> None:
    shown = await hover_text(client, deal, DEAL, "{field: discount, lte: 20}", 9)
    assert "**field** `discount`: percent — Discount (%)" in shown
    assert "min 0, max 100, default 0" in shown
    assert "**used in:** Request discount (requires); Request discount (actions); Send to legal (criteria); " \
           "Decide discount (requires); Decide discount (branch)" in shown
    shown = await hover_text(client, deal, DEAL, "  reason:\n", 3)
    assert "**values:** Price, Competitor, No budget, Timing, No decision" in shown
    assert "Lose (requires)" in shown


async def test_hover_on_a_transition(client: LanguageClient, deal: Path) -> None:
    bp = load_blueprint(SAMPLES / "deal-follow-up.yaml")
    negotiate = bp.transition("Negotiate")
    assert negotiate is not None
    shown = await hover_text(client, deal, DEAL, "- name: Negotiate", 9)
    assert "**transition** `Negotiate`: Qualification → Negotiation" in shown
    assert "**owners:** role:sales_rep, record_owner" in shown
    assert isinstance(negotiate.when, AllOf)
    # the tree `show` prints, as a nested Markdown list
    assert "**when:**\n\n" + "\n".join(["- ALL of"] + [f"  - {wording.criterion(c)}" for c in negotiate.when.items]) \
        in shown
    for r in wording.requirement(negotiate.require):
        assert f"**requires:** {r}" in shown
    for a in negotiate.then:
        assert f"- {wording.action(a)}" in shown
    shown = await hover_text(client, deal, DEAL, "- name: Decide discount", 9)
    decide = bp.transition("Decide discount")
    assert decide is not None and decide.branches[0].when is not None
    assert f"**branch** → Legal Review: {wording.criterion(decide.branches[0].when)}" in shown
    assert "**branch** → Negotiation: otherwise" in shown


async def test_hover_on_a_rule_code_in_a_suppression(client: LanguageClient, deal: Path) -> None:
    text = DEAL.replace("priority: 10 ", "priority: 10  # blueprint: disable=BP203,BP301", 1)
    await Editor(client).change(deal, text)
    shown = await hover_text(client, deal, text, "BP301", 2)
    rule = catalogue()["BP301"]
    assert shown.startswith(f"**BP301** {rule.name} ({rule.severity.value})")
    assert rule.doc in shown and rule.help_uri in shown
    await Editor(client).change(deal, DEAL)
