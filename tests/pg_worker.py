"""A client process for the PostgreSQL store tests.

    python pg_worker.py WORKSPACE USER N_MOVES ID     moves: N transitions on one record, each
                                                      retried (Flip, else Flop) until one commits
    python pg_worker.py WORKSPACE USER N_ADDS ID add  read-modify-write: N times, add 1 to the
                                                      record's `note` inside a store transaction

Prints one line per committed change.
"""

from __future__ import annotations

import sys
from pathlib import Path

from blueprint_cli.workspace import changes
from blueprint_cli import workspace
from blueprint_cli.engine import Inputs


def main() -> None:
    root, user, count, record_id, *mode = sys.argv[1:]
    ws = workspace.find(Path(root))
    for n in range(int(count)):
        note = f"{user}-{n}"
        if mode == ["add"]:
            with ws.store.transaction(record_id) as txn:
                record = txn.current.record
                total = int(record.fields.get("note") or 0) + 1
                txn.commit(record.with_(fields={**record.fields, "note": str(total)}))
            print(f"{record_id} {note} {total}", flush=True)
            continue
        while True:  # another client may move the record between our two tries: try again
            if any(not changes.move(ws, record_id, name, Inputs(note=note), user=user).refused for name in ("Flip", "Flop")):
                break
        print(f"{record_id} {note}", flush=True)


if __name__ == "__main__":
    main()
