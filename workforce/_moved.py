"""Old module paths keep importing for one release, with a DeprecationWarning (issue 15).

``import workforce.results`` (the layout before the stage packages) finds nothing on disk any
more; the finder below answers for every old path in :data:`workforce._moved_paths.MOVED` with
the module's new home, after a warning that names it. No shim file sits at an old path, so an old
name can be a new package (``workforce.cli``) or a public function (``workforce.solve``) without
a clash. An old module name that is also a function of its new module (``workforce.solve``,
``workforce.compare``, ``workforce.sweep``) stays callable after the old path is imported.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType

from workforce._moved_paths import MOVED


class _Moved(ModuleType):
    """The old name: every attribute read from, and written to, the new module."""

    def __getattr__(self, name: str):
        if "_target" not in self.__dict__:
            raise AttributeError(name)  # the import system reading __file__ etc. before exec_module
        return getattr(self.__dict__["_target"], name)

    def __setattr__(self, name: str, value) -> None:
        if name.startswith("__") or name == "_target":
            super().__setattr__(name, value)
        else:
            setattr(self.__dict__["_target"], name, value)

    def __call__(self, *args, **kwargs):
        leaf = self.__name__.rpartition(".")[2]
        return getattr(self.__dict__["_target"], leaf)(*args, **kwargs)


class _Loader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return _Moved(spec.name)

    def exec_module(self, module: ModuleType) -> None:
        new = MOVED[module.__name__]
        warnings.warn(
            f"{module.__name__} moved to {new}; the old path goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        module.__dict__["_target"] = importlib.import_module(new)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path=None, target=None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        if importlib.machinery.PathFinder.find_spec(fullname, path) is not None:
            return None  # the old name is a real module or package again (workforce.cli)
        return importlib.machinery.ModuleSpec(fullname, _Loader())


def install() -> None:
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())


def old_module_getattr(package: str, new: str):
    """``__getattr__`` for a package that took an old module's name: old attributes warn, then resolve."""

    def __getattr__(name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        target = importlib.import_module(new)
        if not hasattr(target, name):
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        warnings.warn(
            f"{package}.{name} moved to {new}.{name}; the old path goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(target, name)

    return __getattr__
