"""The one error type users see: bad input, with the field it belongs to as data.

`InputError(field, message)`: `field` names the input (a request field such as `tp` or
`seq_len`, a nested one such as `utilisation.tp`, or `model` for anything wrong inside a
config.json); `message` says what is allowed, with the range. Front ends place the message by
`field` (the dashboard next to the widget, the CLI as `{"error": {"field", "message"}}`); none
of them parses the text.
"""

from __future__ import annotations

EXIT_BAD_INPUT = 2
# Inputs are echoed in messages; a 10,000-character value must not make a 10,000-character line.
ECHO_LIMIT = 60


class InputError(ValueError):
    """Invalid user input: which field, and a one-line message with the allowed range."""

    def __init__(self, field: str, message: str) -> None:
        self.field = one_line(field)[:120]
        self.message = one_line(message)
        super().__init__(f"{field}: {self.message}")

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # survives copying and pickling
        return type(self), (self.field, self.message)

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """repr() of a user's value for a message, cut to `limit` characters."""
    try:
        text = repr(value)
    except ValueError:  # int → str beyond Python's digit limit
        text = f"<an integer of more than {limit} digits>"
    return text if len(text) <= limit else text[: limit - 1] + "…"
