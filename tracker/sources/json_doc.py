"""JSON documents from the feeds, read the one way every JSON parser here reads them."""

import json
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tracker.records import ParseError
from tracker.sources.govinfo_billstatus import _describe

Model = TypeVar("Model", bound=BaseModel)

_NUL = "\\u0000"  # how JSON writes a NUL character: it cannot appear raw inside a string


def load_json(data: bytes | str) -> Any:
    """``json.loads``, with NUL characters taken out of every string. PostgreSQL's text cannot hold one (the bill
    failed to store there) where SQLite stores it, and no feed means anything by one. Documents without the
    escape, all but a damaged few, are returned as parsed."""
    doc = json.loads(data)
    marker = _NUL if isinstance(data, str) else _NUL.encode()
    return _without_nul(doc) if marker in data else doc


def load_body(data: bytes, locator: str) -> Any:
    """A response body or file as JSON (``load_json``), or a ``ParseError`` naming ``locator``: empty, or not
    JSON at all (a body cut short reads so)."""
    if not data or not data.strip():
        raise ParseError(locator, "empty response body")
    try:
        return load_json(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(locator, f"not JSON (truncated or malformed body?): {exc}") from None


def validated(model: type[Model], build: Callable[[], dict[str, Any]], locator: str) -> Model:
    """``model`` from ``build()``'s payload; whatever goes wrong becomes a ``ParseError`` naming ``locator``. A
    ParseError the payload raises already says what is wrong: it is a ValueError too, and must not be wrapped as
    "unexpected structure" (that repeated the locator: "unexpected structure: ParseError: URL: missing title")."""
    try:
        return model.model_validate(build())
    except ParseError:
        raise
    except ValidationError as exc:
        raise ParseError(locator, _describe(exc)) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(locator, f"unexpected structure: {type(exc).__name__}: {exc}") from None


def json_text(value: Any) -> str | None:
    """A JSON value read as text: stripped, None when empty or absent. An object or array is no text either
    ("{'text': ...}" is not a title): the field then counts as missing, which the parser names."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value
