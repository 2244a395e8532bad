"""The language page's key reference is generated from the JSON Schema: every
object of the schema has a section, and every key of it is on the page with
its description."""

from __future__ import annotations

import html
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _hook() -> Any:
    spec = importlib.util.spec_from_file_location("language_hook", ROOT / "docs" / "hooks" / "language.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOOK = _hook()


def objects(node: Any, pointer: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every object with keys of its own in the schema, with its pointer."""
    if isinstance(node, dict):
        if "properties" in node:
            yield pointer, node
        for key, sub in node.items():
            yield from objects(sub, pointer + (key,))
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from objects(sub, pointer + (str(i),))


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    out = tmp_path_factory.mktemp("site")
    build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(out), strict=True))
    text = re.sub(r"<[^>]+>", " ", (out / "language" / "index.html").read_text(encoding="utf-8"))
    return " ".join(html.unescape(text).replace("`", " ").split())


def test_every_object_of_the_schema_has_a_section() -> None:
    covered = {pointer for _, _, pointer in HOOK.SECTIONS}
    # criteria's allOf repeats the leaf keys to require a `field`; no keys of its own
    found = {p for p, node in objects(HOOK.schema()) if "allOf" not in p and "if" not in p and "then" not in p}
    assert found <= covered, f"add a section to docs/hooks/language.py for {sorted(found - covered)}"


def test_every_key_is_on_the_page_with_its_description(page: str) -> None:
    data = HOOK.schema()
    for _, _, pointer in HOOK.SECTIONS:
        node = HOOK._at(data, pointer)
        for key, sub in node.get("properties", {}).items():
            assert key in page
            # the page shows `code` as code: compare the words
            description = " ".join(str(sub.get("description", "")).replace("`", " ").split())
            assert description in page, (pointer, key)
