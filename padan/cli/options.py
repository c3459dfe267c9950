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


class ManyFilesCommand(click.Command):
    """A command whose file options take several values after one flag, as CONTRACT.md
    writes them (``--dpt FILE...``) and as a shell glob gives them (``--dpt dpt/*.csv``),
    as well as the flag repeated (``--dpt a.csv --dpt b.csv``).

    Click options take one value each: before parsing, every value that follows such an
    option's value and is not itself an option gets the flag again. The command has no
    positional arguments, so nothing else could be meant by them."""

    many: tuple[str, ...] = ("--dpt", "--registry")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(args):
            a = args[i]
            if a == "--":
                out.extend(args[i:])
                break
            flag = a.split("=", 1)[0]
            if flag not in self.many:
                out.append(a)
                i += 1
                continue
            take = 1 if "=" in a else 2  # the flag and its first value, as click reads them
            out.extend(args[i : i + take])
            i += take
            while i < len(args) and not args[i].startswith("-"):
                out.extend([flag, args[i]])
                i += 1
        return super().parse_args(ctx, out)
