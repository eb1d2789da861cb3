"""Command line: ``workforce run|show|validate|forecast|backcast|schema|explain|plot`` and the studies.

:mod:`.commands` holds the plan commands and ``main`` (the console script), :mod:`.studies` the
``compare``, ``sweep`` and ``montecarlo`` commands. The top stage: may import any stage below.
"""

from workforce._moved import old_module_getattr
from workforce.cli.commands import main

__all__ = ["main"]

# workforce.cli was the module now at workforce.cli.commands: its other names still resolve.
__getattr__ = old_module_getattr(__name__, "workforce.cli.commands")
