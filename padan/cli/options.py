"""Options shared by several commands."""

from __future__ import annotations

import click

from padan.workspace import ENV_VAR

workspace_option = click.option(
    "--workspace",
    "-w",
    type=click.Path(dir_okay=False),
    envvar=ENV_VAR,
    default="padan.duckdb",
    show_default=True,
    help=f"Berkas workspace DuckDB (atau variabel lingkungan {ENV_VAR}).",
)

pemilihan_option = click.option(
    "--pemilihan",
    "-p",
    default="pilkada-2020-sulsel",
    show_default=True,
    help="Profil pemilihan (lihat `padan pemilihan`).",
)
