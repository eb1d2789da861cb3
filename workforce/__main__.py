"""``python -m workforce`` is the ``workforce`` command."""

from workforce.entry import main

main()
