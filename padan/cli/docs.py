"""Generate docs/cli.md from the commands' own help (``python -m padan.cli.docs``).

A test checks that docs/cli.md is up to date, so every command and option is documented.
"""

from __future__ import annotations

import click


def _walk(cmd: click.Command, path: list[str]):
    yield path, cmd
    if isinstance(cmd, click.Group):
        for name in sorted(cmd.commands):
            yield from _walk(cmd.commands[name], [*path, name])


def render() -> str:
    from padan.cli import main

    out = [
        "# padan command reference",
        "",
        "Generated from the commands' help by `python -m padan.cli.docs > docs/cli.md`;",
        "a test fails when this file is out of date.",
        "",
    ]
    for path, cmd in _walk(main, ["padan"]):
        # The same settings as a real invocation (help option names) and a fixed width, so the
        # text does not depend on the terminal or on which command click rendered first.
        ctx = click.Context(
            cmd,
            info_name=" ".join(path),
            terminal_width=88,
            max_content_width=88,
            help_option_names=main.context_settings["help_option_names"],
        )
        out += [f"## {' '.join(path)}", "", "```", cmd.get_help(ctx).rstrip(), "```", ""]
    return "\n".join(out)


if __name__ == "__main__":
    print(render(), end="")
