"""``python -m workforce`` is the ``workforce`` command."""

from workforce.cli import main

main()
