"""The ``padan`` command: a thin layer over the library.

Each domain has its own module here exposing ``commands`` (a list of click commands); this
module only assembles them and turns :class:`~padan.errors.PadanError` into a message and an
exit code, so no user ever sees a traceback for bad input.
"""

from __future__ import annotations

import sys

import click

from padan import __version__
from padan.errors import PadanError


class PadanGroup(click.Group):
    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except PadanError as exc:
            click.secho(f"Galat [{exc.code}]: {exc.message}", fg="red", err=True)
            if exc.hint:
                click.echo(f"  Saran: {exc.hint}", err=True)
            sys.exit(1)


@click.group(cls=PadanGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="padan")
def main() -> None:
    """padan: pemadanan data DPT (KPU) dengan data kependudukan (Dukcapil).

    Impor DPT dan data Dukcapil, padankan setiap pemilih, lihat siapa yang belum rekam
    KTP-el, dan pantau kemajuan menuju nol sebelum batas waktu.
    """


def _register() -> None:
    from padan.cli import demo, imports, match, nik, report, synth, web

    for module in (nik, synth, imports, match, report, web, demo):
        for command in module.commands:
            main.add_command(command)


_register()
