"""Carrying out the outside effects of a transition, after it is committed.

The engine turns `email` actions into `Effect`s; here they become messages in
the workspace outbox (one `.eml` file each — SMTP delivery comes in a later
version). Each returns the outcome that replaces the entry's `pending` one. A
failure is an outcome too, never an exception: the move itself already happened.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime
from pathlib import Path

from blueprint_cli.engine import Effect
from blueprint_cli.records import ActionOutcome
from blueprint_cli.store.files import atomic_write

SENDER = "blueprint@localhost"


def deliver(effects: Sequence[Effect], outbox: Path, *, sender: str = SENDER) -> dict[int, ActionOutcome]:
    """Run every effect; return the new outcome for each by its index in the entry."""
    out: dict[int, ActionOutcome] = {}
    for effect in effects:
        if effect.kind == "email":
            out[effect.index] = _to_outbox(effect, outbox, sender)
        else:
            out[effect.index] = ActionOutcome(effect.kind, "skipped", "no delivery for this kind yet")
    return out


def _to_outbox(effect: Effect, outbox: Path, sender: str) -> ActionOutcome:
    data = effect.data
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(data["to"])
    msg["Subject"] = str(data["subject"])
    try:
        msg["Date"] = format_datetime(datetime.fromisoformat(str(data["at"])))
    except ValueError:
        pass
    msg["X-Blueprint-Record"] = f"{data['module']} {data['record']}"
    if data.get("transition"):
        msg["X-Blueprint-Transition"] = f"{data['blueprint']}: {data['transition']}"
    msg.set_content(str(data.get("body") or ""))
    stamp = re.sub(r"[^0-9]", "", str(data["at"]))[:14]
    try:
        outbox.mkdir(parents=True, exist_ok=True)
        n = 1
        while True:
            path = outbox / f"{stamp}-record{data['record']}-{n}.eml"
            if not path.exists():
                break
            n += 1
        atomic_write(path, bytes(msg))
    except OSError as exc:
        return ActionOutcome("email", "failed", f"{data['subject']!r}: cannot write to the outbox: {exc.strerror}")
    where = f"{outbox.name}/{path.name}"
    return ActionOutcome("email", "done", f"{data['subject']!r} to {', '.join(data['to'])}: written to {where}")
