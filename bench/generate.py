"""Generate realistic blueprint files for benchmarks (about 350 lines each).

Each file is a valid, lint-clean process: a chain of stages with criteria,
requirements, actions, a conditional branch, a parallel sign-off, a common
transition and SLAs, so `blueprint lint` does its full work on it.
"""

from __future__ import annotations

from pathlib import Path

FIELDS = """\
fields:
  name: {type: text, label: Deal name, min_length: 3, max_length: 120}
  amount: {type: currency, min: 0, label: Amount}
  discount: {type: percent, min: 0, max: 100}
  probability: {type: percent, min: 0, max: 100}
  close_on: {type: date}
  signed: {type: boolean}
  reason: {type: picklist, values: [Price, Competitor, No budget, Timing]}
  region: {type: picklist, values: [EMEA, Americas, APAC]}
  products: {type: multiselect, values: [Core, Analytics, Support, Training]}
  contact_email: {type: email}
  website: {type: url}
  attempts: {type: integer, min: 0}
"""


def blueprint_text(index: int, stages: int = 14) -> str:
    names = [f"Stage {index}-{i}" for i in range(stages)]
    out = [
        "# yaml-language-server: $schema=../schemas/blueprint.schema.json",
        f"blueprint: bench-{index}",
        f"title: Benchmark process {index}",
        "module: Deals",
        "field: stage",
        "entry:",
        "  when: {field: amount, gt: 0}",
        f"  state: {names[0]}",
        FIELDS.rstrip("\n"),
        "states:",
    ]
    for i, n in enumerate(names):
        out.append(f"  - name: {n}")
        if i % 4 == 1:
            out += [
                "    sla:",
                "      within: 3d",
                "      escalate:",
                '        - email: {to: "role:sales_manager", subject: "{{record.name}} is stuck"}',
                "      levels:",
                "        - after: 1w",
                "          escalate:",
                "            - task: {subject: 'Review {{record.name}}', due: 1d, owner: record_owner}",
            ]
    out += ["  - name: Closed Won", "    final: true", "  - name: Closed Lost", "    final: true", "transitions:"]
    for i in range(stages - 1):
        out += [
            f"  - name: Advance {i}",
            f"    from: {names[i]}",
            f"    to: {names[i + 1]}",
            '    owners: ["role:sales_rep", record_owner]',
            "    when:",
            "      all:",
            "        - {field: amount, gte: 1000}",
            "        - any:",
            "            - {field: region, in: [EMEA, APAC]}",
            "            - {field: products, contains: Analytics}",
            "        - not: {field: name, starts_with: TEST}",
            "    message: Confirm budget and decision maker first.",
            "    require:",
            "      fields: [close_on, contact_email]",
            "      checklist: [Budget confirmed, Decision maker identified]",
            "      note: true",
            "    then:",
            f"      - set: {{probability: {min(90, 10 + i * 5)}}}",
            "      - task: {subject: 'Follow up on {{record.name}}', due: 2d, owner: record_owner}",
            "      - tag: {add: [active]}",
        ]
    last = names[-1]
    out += [
        "  - name: Decide",
        f"    from: {last}",
        '    owners: ["role:sales_manager"]',
        "    require: {fields: [discount]}",
        "    branches:",
        "      - when: {field: discount, lte: 20}",
        "        to: Closed Won",
        f"      - else: {names[1]}",
        "  - name: Sign-off",
        f"    from: {names[-2]}",
        "    to: Closed Won",
        "    parallel:",
        "      - name: Legal approval",
        '        owners: ["role:legal"]',
        "        require: {fields: [signed]}",
        "      - name: Finance approval",
        '        owners: ["role:finance"]',
        "  - name: Lose",
        '    from: "*"',
        "    to: Closed Lost",
        "    require: {fields: [reason], note: true}",
        "    then:",
        "      - webhook: {url: \"https://hooks.example.com/lost\", method: POST, body: {deal: \"{{record.name}}\"}}",
    ]
    return "\n".join(out) + "\n"


def stages_for(lines: int) -> int:
    """How many stages make a file of about `lines` lines (each stage adds about 24)."""
    return min(range(2, max(3, lines // 20)), key=lambda n: abs(blueprint_text(0, n).count("\n") - lines))


def generate(folder: Path, count: int, lines: int | None = None) -> list[Path]:
    """`count` blueprints of about 350 lines each, or of about `lines` lines."""
    stages = 14 if lines is None else stages_for(lines)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        p = folder / f"bench-{i:05d}.yaml"
        p.write_text(blueprint_text(i, stages), encoding="utf-8")
        paths.append(p)
    return paths


if __name__ == "__main__":
    import sys

    generate(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 10,
             int(sys.argv[3]) if len(sys.argv) > 3 else None)
