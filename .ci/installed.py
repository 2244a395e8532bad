"""Exit 0 when this Python already has what `pip install -e '.[EXTRA]'` in this checkout
would give it: `blueprint_cli` imported from here, the `blueprint` command on PATH, and
every requirement pyproject.toml names (for each extra given) met. Lets .ci/test skip
pip when nothing changed; it says what is missing otherwise.

    python .ci/installed.py [EXTRA...]
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tomllib
from importlib import metadata
from pathlib import Path

try:
    from packaging.requirements import Requirement
except ImportError:  # pip carries its own copy
    from pip._vendor.packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def unmet(text: str, extra: str = "") -> str | None:
    """Why requirement `text` is not met here (or None when it is); its extras' own
    requirements too."""
    req = Requirement(text)
    if req.marker is not None and not req.marker.evaluate({"extra": extra}):
        return None
    try:
        version = metadata.version(req.name)
    except metadata.PackageNotFoundError:
        return f"{req.name} is not installed"
    if not req.specifier.contains(version, prereleases=True):
        return f"{req.name} {version} is not {req.specifier}"
    for wanted in sorted(req.extras):
        for sub in metadata.requires(req.name) or []:
            marker = Requirement(sub).marker
            if marker is not None and marker.evaluate({"extra": wanted}) and not marker.evaluate({"extra": ""}):
                why = unmet(sub, wanted)
                if why:
                    return f"{why} (for {req.name}[{wanted}])"
    return None


def main(extras: list[str]) -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    problems = []
    spec = importlib.util.find_spec("blueprint_cli")
    origin = Path(spec.origin).resolve() if spec is not None and spec.origin else None
    if origin != ROOT / "blueprint_cli" / "__init__.py":
        problems.append(f"blueprint_cli is imported from {origin.parent if origin else 'nowhere'}, not {ROOT}")
    if shutil.which("blueprint") is None:
        problems.append("no `blueprint` command on PATH")
    wanted = list(project["dependencies"])
    for extra in extras:
        wanted += project["optional-dependencies"][extra]
    problems += [why for why in map(unmet, wanted) if why]
    for why in problems:
        print(f"[installed] {why}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
