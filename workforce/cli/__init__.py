"""Command line."""

from workforce.cli.commands import main

__all__ = ["main"]
