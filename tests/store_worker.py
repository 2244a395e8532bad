"""A writer process for the store tests: steps ping records back and forth,
printing one line per committed move, until killed or done.

    python store_worker.py WORKSPACE USER N_MOVES ID [ID...]

With N_MOVES 0 it runs until killed (and creates a record now and then too).
"""

from __future__ import annotations

import sys
from pathlib import Path

from blueprint_cli.workspace import changes
from blueprint_cli import workspace
from blueprint_cli.engine import Inputs


def main() -> None:
    root, user, count, *ids = sys.argv[1:]
    ws = workspace.find(Path(root))
    n = 0
    while int(count) == 0 or n < int(count):
        record_id = ids[n % len(ids)]
        note = f"{user}-{n}"
        for name in ("Flip", "Flop"):
            result = changes.move(ws, record_id, name, Inputs(note=note), user=user)
            if not result.refused:
                print(f"{record_id} {note}", flush=True)
                break
        if int(count) == 0 and n % 7 == 0:
            changes.create(ws, "Pings", {}, user=user)
        n += 1


if __name__ == "__main__":
    main()
