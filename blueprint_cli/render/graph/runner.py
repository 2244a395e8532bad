"""The external programs that turn diagram text into images: Graphviz `dot`
(for `blueprint graph --format svg|png`) and mermaid-cli `mmdc` (used by the
test suite to prove that GitHub-style Mermaid renders what we write).

Both report failures as `BlueprintError`s: a missing program is a usage
problem (exit 2) with a hint saying how to install it; a program that rejects
our text is an error (exit 1) carrying the program's own message.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from blueprint_cli.diagnostics import BlueprintError

DOT_ENV = "BLUEPRINT_DOT"
MMDC_ENV = "BLUEPRINT_MMDC"
PUPPETEER_ENV = "BLUEPRINT_PUPPETEER_CONFIG"
#: where .ci/install-system.sh puts mermaid-cli
MMDC_FALLBACK = Path("/opt/mermaid-cli/node_modules/.bin/mmdc")

INSTALL_GRAPHVIZ = ("install Graphviz: `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
                    "(macOS), `choco install graphviz` (Windows); or use --format dot or mermaid")
INSTALL_MMDC = ("install mermaid-cli: `npm install @mermaid-js/mermaid-cli` (with a Chromium it can drive), "
                "or run .ci/install-system.sh; set BLUEPRINT_MMDC to its mmdc")


class ToolMissing(BlueprintError):
    """A program a format needs is not installed (exit 2)."""


class RenderFailed(BlueprintError):
    """The program rejected the diagram text (exit 1)."""

    exit_code = 1


def find_dot() -> str | None:
    return shutil.which(os.environ.get(DOT_ENV) or "dot")


def run_dot(source: str, fmt: str, *, timeout: float = 120) -> bytes:
    """`dot -T<fmt>` on `source`; the image's bytes. Graphviz can exit non-zero
    and still print an image (a bad HTML label), so only the exit code counts."""
    exe = find_dot()
    if exe is None:
        raise ToolMissing(f"--format {fmt} needs Graphviz's `dot` program, which is not installed "
                          "(or not on PATH)", hint=INSTALL_GRAPHVIZ)
    try:
        proc = subprocess.run([exe, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RenderFailed(f"dot took longer than {timeout:.0f} s") from None
    except OSError as exc:
        raise ToolMissing(f"cannot run {exe}: {exc.strerror}", hint=INSTALL_GRAPHVIZ) from None
    if proc.returncode != 0:
        raise RenderFailed(f"dot could not render the diagram (exit {proc.returncode}): "
                           + proc.stderr.decode("utf-8", "replace").strip())
    return proc.stdout


def find_mmdc() -> str | None:
    given = os.environ.get(MMDC_ENV)
    if given:
        return shutil.which(given)
    found = shutil.which("mmdc")
    if found:
        return found
    return str(MMDC_FALLBACK) if os.access(MMDC_FALLBACK, os.X_OK) else None


def run_mmdc(sources: Sequence[str], *, fmt: str = "svg", puppeteer_config: Path | None = None,
             timeout: float = 300) -> list[bytes]:
    """Render several Mermaid diagrams with one mmdc call (one browser start):
    they go in as the ```mermaid blocks of a markdown file, and come out as
    numbered images. mmdc stops at the first diagram it cannot parse and exits
    1; the error then names the diagram."""
    exe = find_mmdc()
    if exe is None:
        raise ToolMissing("mermaid-cli's `mmdc` is not installed", hint=INSTALL_MMDC)
    if not sources:
        return []
    config = puppeteer_config or (Path(os.environ[PUPPETEER_ENV]) if os.environ.get(PUPPETEER_ENV) else None)
    with tempfile.TemporaryDirectory(prefix="blueprint-mmdc-") as tmp:
        folder = Path(tmp)
        doc = "\n".join(f"```mermaid\n{src.rstrip()}\n```\n" for src in sources)
        (folder / "in.md").write_text(doc, encoding="utf-8")
        cmd = [exe, "-q", "-i", str(folder / "in.md"), "-o", str(folder / "out.md"), "-a", str(folder / "art"),
               "-e", fmt]
        if config is not None:
            cmd[1:1] = ["-p", str(config)]
        (folder / "art").mkdir()
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise RenderFailed(f"mmdc took longer than {timeout:.0f} s") from None
        images = [folder / "art" / f"out-{i}.{fmt}" for i in range(1, len(sources) + 1)]
        if proc.returncode != 0:
            done = sum(1 for p in images if p.exists())
            message = proc.stderr.decode("utf-8", "replace").strip().split("\n    at ")[0]
            raise RenderFailed(f"mmdc could not render diagram {done + 1} of {len(sources)} "
                               f"(exit {proc.returncode}): {message}")
        missing = [p.name for p in images if not p.exists()]
        if missing:
            raise RenderFailed(f"mmdc exited 0 but wrote no {', '.join(missing)}: "
                               + proc.stderr.decode("utf-8", "replace").strip())
        return [p.read_bytes() for p in images]
