"""The one argparse tree of `llmem`: a root parser and one sub-parser per command module.

Each command module has NAME, HELP, `configure(parser)` and `run(args) -> int`. argparse's
own errors (an unknown option, a missing value) become an InputError naming the option; the
values themselves are validated by the core's models (PlanSpec, CostSpec), which say the range.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from types import ModuleType
from typing import Any, NoReturn

from llmem_core.cli import (
    catalog,
    cost,
    dashboard,
    estimate,
    gpus,
    measure,
    models,
    plan,
    runs,
)
from llmem_core.errors import InputError, echo

COMMANDS: dict[str, ModuleType] = {
    m.NAME: m for m in (estimate, plan, gpus, cost, measure, runs, models, catalog, dashboard)
}


def field_of(flag: str | None) -> str:
    """'--num-gpus' → 'num_gpus' (the field the option sets)."""
    if not flag:
        return "command"
    return flag.split("/")[0].lstrip("-").replace("-", "_") or "command"


class Parser(argparse.ArgumentParser):
    """argparse that raises InputError (field, message) instead of printing usage and exiting."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(exit_on_error=False, allow_abbrev=False, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise InputError("command", message)

    def parse_known_args(
        self,
        args: Sequence[str] | None = None,  # type: ignore[override]
        namespace: argparse.Namespace | None = None,
    ) -> tuple[argparse.Namespace, list[str]]:
        try:
            return super().parse_known_args(args, namespace)
        except argparse.ArgumentError as err:
            raise InputError(field_of(err.argument_name), err.message) from None

    def parse_args(
        self,
        args: Sequence[str] | None = None,  # type: ignore[override]
        namespace: argparse.Namespace | None = None,
    ) -> argparse.Namespace:
        args = list(args or [])
        if args[:1] == ["dashboard"] and args[1:] not in (["-h"], ["--help"]):
            # Everything after the command is streamlit's own (`--server.port 8502`).
            parsed = super().parse_known_args(["dashboard"], namespace)[0]
            parsed.streamlit_args = args[2:] if args[1:2] == ["--"] else args[1:]
            return parsed
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            token = extra[0]
            field = field_of(token) if re.fullmatch(r"--[a-z][a-z0-9-]{0,40}", token) else "command"
            where = f"llmem {parsed.command}" if getattr(parsed, "command", None) else "llmem"
            raise InputError(field, f"unknown argument {echo(token)}; see `{where} --help`")
        return parsed


def build_parser() -> Parser:
    root = Parser(
        prog="llmem",
        description="GPU memory, distribution method and cost of "
        "fine-tuning LLMs (after LLMem, IJCAI 2024)",
    )
    sub = root.add_subparsers(dest="command", required=True, parser_class=Parser, metavar="COMMAND")
    for name, module in COMMANDS.items():
        module.configure(sub.add_parser(name, help=module.HELP, description=module.HELP))
    return root


def command_of(args: argparse.Namespace) -> ModuleType:
    return COMMANDS[args.command]
