"""The ``stability`` command line: the group, error handling, and one module per command."""

from __future__ import annotations

import logging
import os
import sys

import click

from stability.commands.cell import cell
from stability.commands.common import EXIT_INTERRUPTED
from stability.commands.compare import compare
from stability.commands.data import data
from stability.commands.figures import figures
from stability.commands.interface import interface, interfaces
from stability.commands.interlayer import interlayer
from stability.commands.practical import decomposition
from stability.commands.profile import profile
from stability.commands.screen import screen
from stability.commands.window import window
from stability.errors import Interrupted, StabilityError


class Cli(click.Group):
    """Turn library errors into one-line messages; ``--debug`` shows tracebacks."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except Interrupted as exc:
            click.echo(str(exc).capitalize(), err=True)
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
        except Exception as exc:  # a bug: still one line, the traceback behind --debug
            if ctx.meta.get("debug"):
                raise
            raise click.ClickException(
                f"internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it"
            ) from None


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
@click.version_option(package_name="stability")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Electrochemical stability of solid-state electrolytes from Materials Project data."""
    ctx.meta["debug"] = debug
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(message)s")


for command in (
    window,
    profile,
    screen,
    interface,
    interfaces,
    decomposition,
    cell,
    interlayer,
    figures,
    compare,
    data,
):
    cli.add_command(command)


def main() -> None:
    try:
        cli()
    except BrokenPipeError:
        # The reader (e.g. head) went away: stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
