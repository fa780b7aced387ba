"""The ``stability`` command line: the group, error handling, and one module per command."""

from __future__ import annotations

import logging
import os
import sys
from importlib import import_module

import click

from stability.commands.common import EXIT_INTERRUPTED
from stability.errors import Interrupted, StabilityError

#: Command name -> module and function. A command's module (and what it imports) is loaded
#: only when that command runs or help lists it: start-up stays short.
COMMANDS = {
    "window": "stability.commands.window:window",
    "profile": "stability.commands.profile:profile",
    "screen": "stability.commands.screen:screen",
    "interface": "stability.commands.interface:interface",
    "interfaces": "stability.commands.interface:interfaces",
    "decomposition": "stability.commands.practical:decomposition",
    "cell": "stability.commands.cell:cell",
    "interlayer": "stability.commands.interlayer:interlayer",
    "figures": "stability.commands.figures:figures",
    "compare": "stability.commands.compare:compare",
    "data": "stability.commands.data:data",
    "air": "stability.commands.air:air",
}


class Cli(click.Group):
    """Turn library errors into one-line messages; ``--debug`` shows tracebacks.

    Commands of ``COMMANDS`` are imported on first use.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, name = COMMANDS[cmd_name].split(":")
            self.add_command(getattr(import_module(module), name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]):  # type: ignore[override]
        if args and args[0] not in COMMANDS:  # unknown: register all, for "did you mean"
            for name in COMMANDS:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except Interrupted as exc:
            text = str(exc)  # not capitalize(): it would lowercase the journal path
            click.echo(text[:1].upper() + text[1:], err=True)
            sys.exit(EXIT_INTERRUPTED)
        except StabilityError as exc:
            if ctx.meta.get("debug"):
                raise
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise
        except OSError as exc:
            if ctx.meta.get("debug"):
                raise
            if exc.filename is None:
                raise _internal(exc) from None
            # a path the user gave that cannot be read or written (no folder, no permission)
            raise click.ClickException(f"{exc.filename}: {exc.strerror or exc}") from None
        except Exception as exc:  # a bug: still one line, the traceback behind --debug
            if ctx.meta.get("debug"):
                raise
            raise _internal(exc) from None


def _internal(exc: Exception) -> click.ClickException:
    return click.ClickException(
        f"internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it"
    )


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
@click.version_option(package_name="stability")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Electrochemical stability of solid-state electrolytes from Materials Project data."""
    ctx.meta["debug"] = debug
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(message)s")


def main() -> None:
    try:
        cli()
    except BrokenPipeError:
        # The reader (e.g. head) went away: stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
