"""A frozen request made of specs (small frozen dataclasses), each field living in exactly one of them.

The request's old flat spellings keep working: ``ExplainRequest(model, data, out, key="x", segment=90)``
sorts each keyword into the spec that owns it, ``request.segment`` (a read-only property) reads it there, and
``dataclasses.replace(request, segment=45)`` replaces it there (``replace`` calls the constructor with the
specs and the flat change). Standard library only: the CLI builds requests before anything heavy is imported.
"""

from __future__ import annotations

import functools
from dataclasses import MISSING, fields, replace
from operator import attrgetter
from typing import Any, ClassVar


class NestedRequest:
    """Base of a ``@dataclass(frozen=True, init=False)`` whose ``SPECS`` fields hold specs.

    ``POSITIONAL`` names the flat fields that may be given by position, in order (``ExplainRequest``'s model,
    data and output paths). Fields that are not specs are the request's own, given and read as usual.
    """

    SPECS: ClassVar[dict[str, type]] = {}
    POSITIONAL: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *positional: Any, **given: Any) -> None:
        cls = type(self)
        if len(positional) > len(cls.POSITIONAL):
            raise TypeError(f"{cls.__name__} takes at most {len(cls.POSITIONAL)} positional arguments")
        for name, value in zip(cls.POSITIONAL, positional, strict=False):
            if name in given:
                raise TypeError(f"{cls.__name__} got {name!r} twice")
            given[name] = value
        for name, spec_class in cls.SPECS.items():
            base = given.pop(name, None)
            flat = {key: given.pop(key) for key in list(given) if key in spec_fields(spec_class)}
            if base is None:
                base = spec_class(**flat)
            elif flat:
                base = replace(base, **flat)
            object.__setattr__(self, name, base)
        for item in fields(cls):  # type: ignore[arg-type]
            if item.name in cls.SPECS:
                continue
            if item.name in given:
                value = given.pop(item.name)
            elif item.default is not MISSING:
                value = item.default
            elif item.default_factory is not MISSING:
                value = item.default_factory()
            else:
                raise TypeError(f"{cls.__name__} needs {item.name!r}")
            object.__setattr__(self, item.name, value)
        if given:
            raise TypeError(f"{cls.__name__} has no field {sorted(given)[0]!r}")

    def __init_subclass__(cls, **keywords: Any) -> None:
        """Each spec field readable by its flat name: a property per field (``attrgetter`` of
        ``"spec.field"``), as fast as reading it from the spec (a ``__getattr__`` fallback costs ~1 µs)."""
        super().__init_subclass__(**keywords)
        for owner, spec_class in cls.SPECS.items():
            for item in fields(spec_class):
                if item.name not in cls.__dict__:
                    read = property(attrgetter(f"{owner}.{item.name}"), doc=f"``{owner}.{item.name}``")
                    setattr(cls, item.name, read)

    @classmethod
    def flat_names(cls) -> tuple[str, ...]:
        """Every field by its flat name: the specs' in order, then the request's own."""
        own = [item.name for item in fields(cls) if item.name not in cls.SPECS]  # type: ignore[arg-type]
        return (*owners(cls), *own)


@functools.cache
def spec_fields(spec_class: type) -> frozenset[str]:
    return frozenset(item.name for item in fields(spec_class))


@functools.cache
def owners(cls: type[NestedRequest]) -> dict[str, str]:
    """Each spec field's flat name → the request field holding its spec."""
    found: dict[str, str] = {}
    for owner, spec_class in cls.SPECS.items():
        for item in fields(spec_class):
            if item.name in found:
                raise TypeError(f"{cls.__name__}: {item.name!r} is in both {found[item.name]} and {owner}")
            found[item.name] = owner
    return found


def flat_fields(request: Any) -> dict[str, Any]:
    """A request's fields by flat name (a request without specs: its own fields), values as they are."""
    if not isinstance(request, NestedRequest):
        return {item.name: getattr(request, item.name) for item in fields(request)}
    return {name: getattr(request, name) for name in type(request).flat_names()}
