"""What the ``actions`` and ``auth_functions`` blankets register: the names the feature modules
of ``logic/action/`` and ``logic/auth/`` export, each exactly once.

Each package's ``__init__`` names its modules and hands them to :func:`export`, which puts every
name of their ``__all__`` into the package's namespace and answers the package's ``__all__`` (what
``tk.blanket.actions`` / ``tk.blanket.auth_functions`` read). A name exported by two modules, or
one that would replace something else in the package, is an error when the package is imported:
nothing is overwritten silently, and no chain is composed in an order nobody wrote down (chained
core actions are composed in ``core.py``).
"""
from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from types import ModuleType
from typing import Any


class DuplicateName(Exception):
    """Two modules export one action or auth function name."""


def export(namespace: MutableMapping[str, Any], modules: Iterable[ModuleType]) -> list[str]:
    """Put every name of each module's ``__all__`` into ``namespace``; the names, sorted.

    Raises :class:`DuplicateName` when a name is exported twice or is already in
    ``namespace`` (a submodule, an import).
    """
    modules = tuple(modules)
    owners: dict[str, str] = {}
    for module in modules:
        for name in module.__all__:
            if name in owners:
                raise DuplicateName(
                    f"{name!r} is exported by both {owners[name]} and {module.__name__}")
            if name in namespace:
                raise DuplicateName(
                    f"{name!r} of {module.__name__} would replace {namespace[name]!r} "
                    f"in {namespace.get('__name__')}")
            owners[name] = module.__name__
    for module in modules:
        for name in module.__all__:
            namespace[name] = getattr(module, name)
    return sorted(owners)
