"""Writing blueprint YAML from plain data, for people to read and keep in git:
block style, lists of plain values in flow style, a string unquoted only when
it reads back as that very text (else JSON's double quotes, which YAML reads
the same), and comment lines at the top."""

from __future__ import annotations

import json
from typing import Any

from blueprint_cli.language.loader import plain_reads_as

_IMPLICIT = ("true", "false", "null", "~", "yes", "no", "on", "off", "y", "n")


def dump(data: dict[str, Any], comments: list[str] = ()) -> str:  # type: ignore[assignment]
    lines = [f"# {c}".rstrip() for c in comments]
    _mapping(data, 0, lines)
    return "\n".join(lines) + "\n"


def scalar(value: Any, flow: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    plain = (text.lower() not in _IMPLICIT and "\n" not in text and not text.startswith(("'", '"', "{", "[", "*", "&", "!", "|", ">", "%", "@", "`", "#", "-", "?", ":", ",")))
    if plain and flow and any(c in text for c in ",[]{}"):
        plain = False
    if plain and plain_reads_as(text, "flow" if flow else "block"):
        return text
    return json.dumps(text, ensure_ascii=False)


def _key(key: Any) -> str:
    return scalar(str(key))


def _simple(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _mapping(data: dict[str, Any], indent: int, lines: list[str], first_prefix: str | None = None) -> None:
    pad = " " * indent
    for n, (key, value) in enumerate(data.items()):
        lead = first_prefix if (first_prefix is not None and n == 0) else pad
        _entry(f"{lead}{_key(key)}:", value, indent, lines)


def _entry(head: str, value: Any, indent: int, lines: list[str]) -> None:
    if isinstance(value, dict):
        if not value:
            lines.append(f"{head} {{}}")
        elif all(_simple(v) for v in value.values()) and len(value) <= 4 and \
                len(inline := _flow_map(value)) + len(head) < 100:
            lines.append(f"{head} {inline}")
        else:
            lines.append(head)
            _mapping(value, indent + 2, lines)
    elif isinstance(value, list):
        if all(_simple(v) for v in value):
            lines.append(f"{head} [{', '.join(scalar(v, flow=True) for v in value)}]")
        else:
            lines.append(head)
            _sequence(value, indent + 2, lines)
    else:
        lines.append(f"{head} {scalar(value)}")


def _flow_map(value: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{scalar(str(k), flow=True)}: {scalar(v, flow=True)}" for k, v in value.items()) + "}"


def _sequence(items: list[Any], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, dict) and item and all(_simple(v) for v in item.values()) and len(item) <= 3 \
                and len(inline := _flow_map(item)) + indent < 90:
            lines.append(f"{pad}- {inline}")
        elif isinstance(item, dict) and item:
            _mapping(item, indent + 2, lines, first_prefix=f"{pad}- ")
        elif isinstance(item, list) and item:
            lines.append(f"{pad}-")
            _sequence(item, indent + 2, lines)
        else:
            lines.append(f"{pad}- {scalar(item) if _simple(item) else ('{}' if isinstance(item, dict) else '[]')}")
