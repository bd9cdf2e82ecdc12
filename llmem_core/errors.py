"""The one error type users see: bad input, described in one line naming the field."""


class InputError(ValueError):
    """Raised for any invalid user input; the message names the field and the allowed range."""
