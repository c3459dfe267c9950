"""Every command and option is documented, and the README holds the two set-up commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from padan.cli import main
from padan.cli.docs import _walk

ROOT = Path(__file__).resolve().parent.parent


def test_cli_reference_is_up_to_date():
    # A fresh process: click caches each command's help option on first use, so a test that
    # invoked a subcommand directly (without the group's "-h") would change the rendering here.
    rendered = subprocess.run(
        [sys.executable, "-m", "padan.cli.docs"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == rendered, (
        "docs/cli.md is stale: run `.venv/bin/python -m padan.cli.docs > docs/cli.md`"
    )


def test_every_command_and_option_has_help():
    missing = []
    for path, cmd in _walk(main, ["padan"]):
        if not (cmd.help or cmd.short_help):
            missing.append(" ".join(path))
        for param in cmd.params:
            if (
                isinstance(param, click.Option)
                and not param.help
                and param.name not in ("help", "version")
            ):
                missing.append(f"{' '.join(path)} {param.opts[0]}")
    assert not missing, f"without help text: {missing}"


def test_help_runs_for_every_command():
    runner = CliRunner()
    for path, _cmd in _walk(main, ["padan"]):
        result = runner.invoke(main, [*path[1:], "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_readme_has_exactly_two_setup_commands_and_ci_uses_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Two commands", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["scripts/demo", "scripts/test"]
    assert "exec scripts/test" in (ROOT / ".ci" / "run").read_text()
