"""Shared by the editor and validator tests: the schemas editors point at, and
one broken value for every `pattern` the schemas give a `patternErrorMessage`.

Each case edits a file that is valid against its schema so that exactly one
value breaks exactly one pattern; the node it breaks is named by its JSON
pointer, so what a consumer must show is read from the schema itself."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
#: the schemas users point their editors at (symbolic links into blueprint_cli/schemas/,
#: the one copy, which the package ships); store.schema.json describes the store's own
#: files and has no editor messages
SCHEMAS = [REPO / "schemas" / name for name in
           ("blueprint.schema.json", "scenario.schema.json", "team.schema.json", "config.schema.json")]
SAMPLES = REPO / "sample_blueprints"
SAMPLE = (SAMPLES / "deal-follow-up.yaml").read_text(encoding="utf-8")
SCENARIOS = (REPO / "docs" / "examples" / "discount.scenarios.yaml").read_text(encoding="utf-8")
TEAM = """\
users:
  alice: {roles: [sales_rep], profile: standard}
permissions:
  reassign: [record_owner, "profile:admin"]
"""
CONFIG = """\
format: 1
store: json
smtp: {host: smtp.example.com, user: blueprint, password_env: SMTP_PASSWORD}
calendar:
  days: mon-fri
  hours: "09:00-17:00"
  holidays: 2026-12-25, 2026-12-26
"""


def patterns(node: object, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(JSON pointer, node) for every node of a schema with a `pattern`."""
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield path, node
        for key, value in node.items():
            yield from patterns(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from patterns(value, f"{path}/{i}")


@cache
def schema(name: str) -> Any:
    return json.loads((REPO / "schemas" / name).read_text(encoding="utf-8"))


def node(name: str, pointer: str) -> dict[str, Any]:
    found = schema(name)
    for part in pointer.split("/")[1:]:
        found = found[int(part)] if isinstance(found, list) else found[part]
    assert isinstance(found, dict)
    return found


@dataclass(frozen=True)
class PatternCase:
    schema: str  #: file name in schemas/
    pointer: str  #: the pattern node the broken value must fail, e.g. /definitions/owner
    base: str  #: a file valid against the schema
    old: str  #: replaced once in base ...
    new: str  #: ... by this,
    bad: str  #: which holds this broken value (or key), the first one in new

    @property
    def id(self) -> str:
        return f"{self.schema.split('.')[0]}{self.pointer}"

    @property
    def message(self) -> str:
        """What editors show for it: the schema's own words."""
        text: str = node(self.schema, self.pointer)["patternErrorMessage"]
        return text

    def text(self) -> str:
        assert self.base.count(self.old) >= 1 and self.bad in self.new, self
        return self.base.replace(self.old, self.new, 1)

    def position(self) -> tuple[int, int]:
        """(line, column), from 0, of the broken value in text()."""
        start = self.base.index(self.old) + self.new.index(self.bad)
        before = self.text()[:start]
        return before.count("\n"), start - (before.rfind("\n") + 1)


B, S, C, T = "blueprint.schema.json", "scenario.schema.json", "config.schema.json", "team.schema.json"
NOW = 'now: "2026-01-05T09:00:00+01:00"'
PATTERN_CASES = [
    PatternCase(B, "/properties/blueprint", SAMPLE, "blueprint: deal-follow-up",
                "blueprint: Deal_Follow_Up", "Deal_Follow_Up"),
    PatternCase(B, "/properties/field", SAMPLE, "field: stage", "field: Stage", "Stage"),
    PatternCase(B, "/properties/fields/propertyNames", SAMPLE, "  close_on:    {type: date",
                "  Close_on:    {type: date", "Close_on"),
    PatternCase(B, "/definitions/duration", SAMPLE, "within: 3d", "within: 3 days", "3 days"),
    PatternCase(B, "/definitions/owner", SAMPLE, 'owner: "user:bob"', 'owner: "bob"', '"bob"'),
    PatternCase(B, "/definitions/criterion/properties/field", SAMPLE, "when: {field: amount, gt: 0}",
                "when: {field: Amount, gt: 0}", "Amount"),
    PatternCase(B, "/definitions/action/properties/set/propertyNames", SAMPLE, "- set: {probability: 40}",
                "- set: {Probability: 40}", "Probability"),
    PatternCase(B, "/definitions/action/properties/email/properties/to", SAMPLE,
                'to: "role:sales_manager", subject', 'to: "sales managers", subject', '"sales managers"'),
    PatternCase(B, "/definitions/action/properties/webhook/properties/url", SAMPLE, "- tag: {add: [lost]}",
                "- webhook: {url: hooks.example.com/lost}", "hooks.example.com/lost"),
    PatternCase(B, "/definitions/action/properties/assign/properties/to", SAMPLE, "- tag: {add: [lost]}",
                '- assign: {to: "bob"}', '"bob"'),
    PatternCase(B, "/definitions/action/properties/webhook/properties/secret_env", SAMPLE,
                "- tag: {add: [lost]}", '- webhook: {url: "https://hooks.example.com/lost", secret_env: 1KEY}',
                "1KEY"),
    PatternCase(B, "/definitions/requirement/properties/fields/items", SAMPLE, "fields: [close_on]",
                "fields: [Close_on]", "Close_on"),
    PatternCase(B, "/definitions/state/properties/name", SAMPLE, "  - name: Negotiation\n",
                '  - name: " "\n', '" "'),
    PatternCase(B, "/definitions/parallel_part/properties/name", SAMPLE, "- name: Legal approval",
                '- name: "\\t"', '"\\t"'),
    PatternCase(B, "/definitions/transition/properties/name", SAMPLE, "  - name: Negotiate\n",
                '  - name: "  "\n', '"  "'),
    PatternCase(S, "/definitions/moment", SCENARIOS, NOW, 'now: "5 Jan 2026"', '"5 Jan 2026"'),
    PatternCase(S, "/definitions/duration", SCENARIOS, "        note: Three-year commitment in return.",
                "        wait: 2 weeks", "2 weeks"),
    PatternCase(S, "/definitions/action", SCENARIOS, "actions: [{email: ", "actions: [mail, {email: ", "mail"),
    PatternCase(S, "/definitions/calendar/properties/days", SCENARIOS, NOW,
                NOW + "\ncalendar: {days: monday to friday}", "monday to friday"),
    PatternCase(S, "/definitions/calendar/properties/days/items", SCENARIOS, NOW,
                NOW + "\ncalendar: {days: [mon-thu, fri 9-12]}", "fri 9-12"),
    PatternCase(S, "/definitions/calendar/properties/hours", SCENARIOS, NOW,
                NOW + "\ncalendar: {hours: 9-17}", "9-17"),
    PatternCase(S, "/definitions/calendar/properties/hours/items", SCENARIOS, NOW,
                NOW + '\ncalendar: {hours: ["09:00-12:00", "1pm-5pm"]}', '"1pm-5pm"'),
    PatternCase(S, "/definitions/calendar/properties/holidays", SCENARIOS, NOW,
                NOW + "\ncalendar: {holidays: 25/12/2026}", "25/12/2026"),
    PatternCase(S, "/definitions/calendar/properties/holidays/items", SCENARIOS, NOW,
                NOW + '\ncalendar: {holidays: ["2026-12-25", "Boxing Day"]}', '"Boxing Day"'),
    PatternCase(S, "/definitions/owner", SCENARIOS, "team: ../../examples/team.yaml",
                "team: {users: {alice: {}}, permissions: {reassign: [admins]}}", "admins"),
    PatternCase(T, "/definitions/owner", TEAM, '"profile:admin"', "admins", "admins"),
    PatternCase(C, "/properties/store", CONFIG, "store: json", "store: mysql", "mysql"),
    PatternCase(C, "/properties/outbox", CONFIG, "store: json", "store: json\noutbox: ../mail", "../mail"),
    PatternCase(C, "/properties/smtp/properties/password_env", CONFIG, "password_env: SMTP_PASSWORD",
                "password_env: $SMTP_PASSWORD", "$SMTP_PASSWORD"),
    PatternCase(C, "/properties/calendar/properties/days", CONFIG, "days: mon-fri", "days: mon to fri",
                "mon to fri"),
    PatternCase(C, "/properties/calendar/properties/days/items", CONFIG, "days: mon-fri",
                "days: [mon, tue, w]", "w"),
    PatternCase(C, "/properties/calendar/properties/hours", CONFIG, 'hours: "09:00-17:00"',
                'hours: "9 to 5"', '"9 to 5"'),
    PatternCase(C, "/properties/calendar/properties/hours/items", CONFIG, 'hours: "09:00-17:00"',
                'hours: ["09:00-12:00", "13:00"]', '"13:00"'),
    PatternCase(C, "/properties/calendar/properties/holidays", CONFIG, "holidays: 2026-12-25, 2026-12-26",
                "holidays: 2026-12-25 and 2026-12-26", "2026-12-25 and 2026-12-26"),
    PatternCase(C, "/properties/calendar/properties/holidays/items", CONFIG,
                "holidays: 2026-12-25, 2026-12-26", 'holidays: ["2026-12-25", "2026-12-26 "]', '"2026-12-26 "'),
]
