"""Plain records: what `@dataclass` generates (equality and repr over the fields, and for
a frozen record hashing and no assignment), with `__init__` written out in each class.

A batch run defines the engine's value types in its parent process before it forks:
`import dataclasses` (which imports `inspect`) costs ~5 ms there, and each decorated
class ~0.6 ms more (dataclasses compiles its methods at import), ~13 ms in all on the
serial path of every run. `FIELDS` lists the fields in order: equality, repr, hashing,
pickling and `replace` follow it.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Record:
    __slots__ = ()
    FIELDS: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # a mutable record is not hashable

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{self.__class__.__qualname__}({fields})"

    def __reduce__(self) -> tuple:
        # Every record's __init__ takes its fields in FIELDS order.
        return self.__class__, self._values()

    def replace(self, **changes: Any):
        """A copy with `changes` (field names only, as dataclasses.replace)."""
        unknown = set(changes) - set(self.FIELDS)
        if unknown:
            raise TypeError(f"{self.__class__.__name__} has no field {sorted(unknown)[0]!r}")
        values = {name: getattr(self, name) for name in self.FIELDS}
        values.update(changes)
        return self.__class__(**values)


class FrozenRecord(Record):
    """Never changed after `__init__` (which sets its fields with `_init`): hashable."""

    __slots__ = ()

    def _init(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a frozen {self.__class__.__name__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a frozen {self.__class__.__name__}")

    def __hash__(self) -> int:
        return hash(self._values())
