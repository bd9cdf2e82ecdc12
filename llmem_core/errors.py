"""The one error type users see: bad input, described in one line naming the field."""

import sys
from collections.abc import Callable

EXIT_BAD_INPUT = 2


class InputError(ValueError):
    """Raised for any invalid user input; the message names the field and the allowed range."""


def guarded(prog: str, action: Callable[[], int]) -> int:
    """Run a command; bad input becomes one line on stderr naming the field, and exit status 2
    (never a traceback)."""
    from pydantic import ValidationError

    from llmem_core.hf_config import first_error

    try:
        return action()
    except InputError as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
    except ValidationError as err:
        print(f"{prog}: error: {first_error(err)}", file=sys.stderr)
    return EXIT_BAD_INPUT
