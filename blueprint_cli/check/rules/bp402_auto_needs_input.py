"""An automatic transition requires input that no one is there to give.

An automatic transition performs itself when a record has sat in its state
long enough (`blueprint tick`). It can check fields that are already filled in,
but a checklist, a note or an attachment needs a person, so it would be
skipped every time.

    - name: Go cold
      from: Contacted
      to: Nurture
      auto: {after: 2w}
      require: {note: true}     # BP402
"""

from collections.abc import Iterator

from blueprint_cli.check.context import LintContext
from blueprint_cli.check.rules import Finding

CODE = "BP402"
NAME = "auto-needs-input"
SEVERITY = "warning"
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext) -> Iterator[Finding]:
    for t in ctx.blueprint.transitions:
        if t.auto is None:
            continue
        needs = [w for w, on in (("a checklist", t.require.checklist), ("a note", t.require.note),
                                 ("an attachment", t.require.attachment)) if on]
        if needs:
            yield Finding(f"automatic transition {t.name!r} requires {' and '.join(needs)}, which no person "
                          "gives when it runs by itself", t.require.path, key=True,
                          hint="require only fields that are filled in beforehand")
