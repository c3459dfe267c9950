"""CLI commands for this domain (placeholder until its issue lands)."""

import click

commands: list[click.Command] = []
