"""What the GraphQL endpoint refuses before strawberry or graphql-core look at it.

Every JSON document ``/graphql`` takes (the POST body, the ``variables`` and
``extensions`` of a GET, each websocket message) goes through
:func:`decode_json`: UTF-8 only, nested at most :data:`MAX_JSON_DEPTH` deep,
no number longer than :data:`MAX_NUMBER_DIGITS` digits, and an object at the
top. Without these limits a client could crash a request with a 500 (Python's
``json`` recursion, ``int`` refusing more than 4,300 digits, a body of
``null``) or close a websocket without a close frame.

The same limit on numbers inside the GraphQL document is
:class:`LongNumberLiterals`: graphql-core converts an ``Int`` literal with
``int()`` while validating. Suggestions ("Did you mean …?") are taken out of
errors by :func:`without_suggestions`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from graphql.error import GraphQLError
from graphql.language import FloatValueNode, IntValueNode, Visitor, visit
from strawberry.extensions import SchemaExtension

MAX_JSON_DEPTH = 32
"""Levels of nested arrays and objects a JSON document may have (the top object is level 1)."""
MAX_NUMBER_DIGITS = 100
"""Digits one number may have, in JSON or a GraphQL literal (a budget has at most 19)."""

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
"""graphql-core's suggestion sentence (``did_you_mean``): names and enum values cannot hold a ``?``."""


class RefusedJSON(json.JSONDecodeError):
    """A JSON document refused by :func:`decode_json`; ``reason`` says why, in English.

    A ``JSONDecodeError``, so strawberry treats it as it treats bad JSON: a
    websocket is closed with 4400 (graphql-transport-ws: bad request), and
    :class:`council.app.CouncilGraphQL` answers HTTP 400 with ``reason``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason, "", 0)
        self.reason = reason


def json_depth(value: object) -> int:
    """How deeply arrays and objects nest in the decoded JSON ``value`` (0 for a scalar), walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in children)
    return deepest


def _number(text: str, convert: type[int] | type[float]) -> int | float:
    if sum(c.isdigit() for c in text) > MAX_NUMBER_DIGITS:
        raise RefusedJSON(f"A number in the JSON has more than {MAX_NUMBER_DIGITS} digits")
    return convert(text)


def decode_json(data: str | bytes) -> dict[str, Any]:
    """The JSON object in ``data`` (bytes must be UTF-8), within the limits of this module.

    Numbers are checked as the decoder meets them (``parse_int``, ``parse_float``),
    before Python converts them; depth after decoding (:func:`json_depth`), and
    a document too deep for the decoder itself (``RecursionError``) is refused
    the same way.

    Raises:
        RefusedJSON: not UTF-8, nested deeper than :data:`MAX_JSON_DEPTH`, a
            number of more than :data:`MAX_NUMBER_DIGITS` digits, or not an object.
        json.JSONDecodeError: not JSON.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise RefusedJSON("The body is not UTF-8") from None
    too_deep = RefusedJSON(f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        value = json.loads(data, parse_int=lambda t: _number(t, int), parse_float=lambda t: _number(t, float))
    except RecursionError:
        raise too_deep from None
    if not isinstance(value, dict):
        raise RefusedJSON('The JSON must be an object, such as {"query": "{ pillars { code } }"}')
    if json_depth(value) > MAX_JSON_DEPTH:
        raise too_deep
    return value


def without_suggestions(error: GraphQLError) -> None:
    """Take graphql-core's "Did you mean …?" sentences out of ``error``'s message, in place.

    What strawberry's ``disable_field_suggestions`` does for unknown fields,
    for every message: unknown arguments, input fields, enum values (in a
    literal or a variable) and types. graphql-core 3.3's own
    ``hide_suggestions`` is not passed on by strawberry's ``validate`` and
    ``execute`` calls, so the messages are edited where every error passes once
    (``CouncilSchema.process_errors``), for HTTP and websockets alike.
    """
    error.message = _SUGGESTION.sub("", error.message)
    if error.args:
        error.args = (error.message, *error.args[1:])


class _Numbers(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.too_long: list[IntValueNode | FloatValueNode] = []

    def enter_int_value(self, node: IntValueNode, *_: object) -> None:
        if len(node.value) > MAX_NUMBER_DIGITS + 1:  # the digits and a sign
            self.too_long.append(node)

    def enter_float_value(self, node: FloatValueNode, *_: object) -> None:
        if len(node.value) > MAX_NUMBER_DIGITS + 8:  # sign, point, exponent
            self.too_long.append(node)


class LongNumberLiterals(SchemaExtension):
    """Refuse a document with a number literal of more than :data:`MAX_NUMBER_DIGITS` digits, before validation.

    graphql-core's validation converts an ``Int`` literal with ``int()``,
    which raises on more than 4,300 digits (a masked INTERNAL). Setting the
    errors before strawberry validates makes it skip validation and answer
    them, as it answers validation errors.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            numbers = _Numbers()
            visit(context.graphql_document, numbers)
            if numbers.too_long:
                context.pre_execution_errors = [
                    GraphQLError(f"A number literal has more than {MAX_NUMBER_DIGITS} digits", nodes=numbers.too_long)
                ]
        yield
