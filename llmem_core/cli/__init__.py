"""The `llmem` command: estimate, plan, gpus, cost, measure, runs, models, catalog, dashboard.

Contract (scripts and the dashboard depend on it):
  llmem estimate --model ID|PATH --gpu KEY [--gpu-memory-mib N] --num-gpus N
                 --method single|cdp|adp|tp|dp+tp [--tp N] --batch-size B --seq-len S
                 [--profile NAME] --json
      → {peak_bytes, fits, components{name: bytes}, …}
  llmem plan --model ID|PATH --gpu KEY --num-gpus N --seq-len S [--tp N] [--profile NAME] --json
      → {choice, methods[{method, max_batch_size, score, applicable, reason}], …}
  llmem runs add FILE…|list [--json]|show ID|remove ID|export FILE   (measured runs, #11)
      estimate, plan, gpus, cost: "calibration": {runs, gpu, a, b, residual_pct, …} | null;
      --calibration off ignores the run store
Bad input: one line on stderr naming the field and the allowed range, exit status 2; with
--json also {"error": {"field": …, "message": …}} on stdout.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence

from llmem_core.cli.parser import build_parser, command_of
from llmem_core.errors import EXIT_BAD_INPUT, InputError

EXIT_INTERNAL = 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (0 done, 2 bad input, 1 a failure)."""
    args = list(sys.argv[1:] if argv is None else argv)
    prog = "llmem"
    try:
        parsed = build_parser().parse_args(args)
        parsed.argv = args  # as typed, for commands that record themselves (measure)
        prog = f"llmem {parsed.command}"
        return command_of(parsed).run(parsed)
    except InputError as err:
        return _refuse(prog, err, "--json" in args)
    except SystemExit as done:  # --help and --version
        return int(done.code or 0) if isinstance(done.code, int | None) else EXIT_BAD_INPUT
    except BrokenPipeError:  # `llmem models | head`: the reader left; end quietly
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        return 130


def _refuse(prog: str, err: InputError, as_json: bool) -> int:
    print(f"{prog}: error: {err}", file=sys.stderr)
    if as_json:
        try:
            print(json.dumps({"error": err.as_dict()}))
        except BrokenPipeError:
            _silence_stdout()
    return EXIT_BAD_INPUT


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (captured in a test)
        pass
    finally:
        os.close(devnull)


__all__ = ["EXIT_INTERNAL", "main"]
