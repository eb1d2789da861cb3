"""``python -m workforce`` is the ``workforce`` command."""

from workforce.entry import main

if __name__ == "__main__":  # worker processes import this module again (as __mp_main__): not a second command
    main()
