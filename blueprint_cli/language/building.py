"""What building a model from schema-valid data shares: the error for data
that still cannot form a model, and the readers of small values (a list of
names, a duration) that every part of the model and every action kind uses."""

from __future__ import annotations

from typing import Any

from blueprint_cli.diagnostics import JsonPath
from blueprint_cli.language.durations import Duration, DurationError, parse_duration


class ModelError(ValueError):
    """Data that passed the schema but still cannot form a model."""

    def __init__(self, message: str, path: JsonPath) -> None:
        super().__init__(message)
        self.path = path


def names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


def duration(value: Any, path: JsonPath) -> Duration:
    try:
        return parse_duration(value)
    except DurationError as exc:
        raise ModelError(str(exc), path) from None
