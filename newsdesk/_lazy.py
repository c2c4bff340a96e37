"""Names a package exports from modules it imports on the first ask (PEP 562's module
`__getattr__`): `newsdesk.types` and `newsdesk.store` load only what a command uses, since
every module (and every dataclass it makes) costs start-up time."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, MutableMapping


def load(namespace: MutableMapping[str, object], package: str, where: Mapping[str, str], name: str) -> object:
    """`name` from the module `where` gives for it (a dotted name, or a module of `package`),
    kept in the package's `namespace` so that the next ask costs nothing."""
    module = where.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module if "." in module else f"{package}.{module}"), name)
    namespace[name] = value
    return value
