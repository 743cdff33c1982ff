"""Frozen records: ``@record`` makes a class behave as ``@dataclass(frozen=True)`` does, without importing
:mod:`dataclasses` when the class is made.

Importing :mod:`dataclasses` imports :mod:`inspect` (with ast, dis and tokenize), and decorating a class generates
and compiles six methods: together about a tenth of a cold ``sslmb query``. The classes on that command's path
(:class:`kg.core.terms.Entity`, the stored queries, the prepared query and its result, search matches) are records.
A record has the ``__init__``, ``__repr__``, ``__eq__``, ``__hash__`` and read-only attributes its dataclass would
have (assigning one raises :class:`dataclasses.FrozenInstanceError`), and it is a dataclass to :mod:`dataclasses`:
``is_dataclass``, ``fields``, ``asdict``, ``replace`` and :func:`kg.to_json` read its fields, which are made, with
:mod:`dataclasses`, the first time one of them asks. Elsewhere the package uses dataclasses as usual.

>>> @record
... class Point:
...     x: int
...     y: int = 0
...     note: str = field(default="", repr=False, compare=False)
>>> p = Point(1)
>>> p, p == Point(1, 0, "other"), hash(p) == hash(Point(1))
(Point(x=1, y=0), True, True)
>>> import dataclasses
>>> dataclasses.asdict(p), dataclasses.replace(p, y=2)
({'x': 1, 'y': 0, 'note': ''}, Point(x=1, y=2))
>>> p.x = 3
Traceback (most recent call last):
dataclasses.FrozenInstanceError: cannot assign to field 'x'
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any, TypeVar

    from typing_extensions import dataclass_transform  # typing's own from Python 3.11

    T = TypeVar("T")
else:

    def dataclass_transform(**_options):
        return lambda decorator: decorator


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class _Field:
    """A field's options, as :func:`dataclasses.field` takes them."""

    __slots__ = ("default", "default_factory", "repr", "compare")

    def __init__(self, default: Any, default_factory: Any, repr: bool, compare: bool) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.default, self.default_factory, self.repr, self.compare = default, default_factory, repr, compare


def field(*, default: Any = MISSING, default_factory: Any = MISSING, repr: bool = True, compare: bool = True) -> Any:
    """A field with options (``default``, ``default_factory``, ``repr``, ``compare``), as :func:`dataclasses.field`."""
    return _Field(default, default_factory, repr, compare)


class _DataclassFields:
    """``__dataclass_fields__`` and ``__dataclass_params__`` of a record, made by :mod:`dataclasses` (from a
    dataclass of the same fields) when first read, then kept on the class."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute

    def __get__(self, instance: Any, owner: Any) -> Any:
        import dataclasses

        spec: dict[str, _Field] = owner.__record_fields__
        namespace: dict[str, Any] = {"__annotations__": dict(owner.__record_types__), "__module__": owner.__module__}
        for name, f in spec.items():
            namespace[name] = dataclasses.field(
                default=dataclasses.MISSING if f.default is MISSING else f.default,
                default_factory=dataclasses.MISSING if f.default_factory is MISSING else f.default_factory,
                repr=f.repr,
                compare=f.compare,
            )
        twin: Any = dataclasses.dataclass(frozen=True)(type(owner.__name__, (), namespace))
        type.__setattr__(owner, "__dataclass_fields__", twin.__dataclass_fields__)
        type.__setattr__(owner, "__dataclass_params__", twin.__dataclass_params__)
        return getattr(owner, self.attribute)


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    if type(self).__record_class__ is type(self) or name in type(self).__record_fields__:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    object.__setattr__(self, name, value)


def _frozen_delattr(self: Any, name: str) -> None:
    if type(self).__record_class__ is type(self) or name in type(self).__record_fields__:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot delete field {name!r}")
    object.__delattr__(self, name)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[T]) -> type[T]:
    """Make ``cls`` a frozen record of the fields its annotations declare (after those of a record it extends)."""
    if cls.__dict__.get("__hash__") is not None:
        raise TypeError(f"Cannot overwrite attribute __hash__ in class {cls.__name__}")
    spec: dict[str, _Field] = {}
    types: dict[str, Any] = {}
    for base in reversed(cls.__mro__[1:]):
        spec.update(base.__dict__.get("__record_fields__", {}))
        types.update(base.__dict__.get("__record_types__", {}))
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if "ClassVar" in str(annotation) or "InitVar" in str(annotation):
            raise TypeError(f"{cls.__name__}.{name}: a record has no ClassVar or InitVar fields; use a dataclass")
        value = cls.__dict__.get(name, MISSING)
        f = value if isinstance(value, _Field) else _Field(value, MISSING, True, True)
        if isinstance(value, _Field):
            if f.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
        if f.default is not MISSING and f.default.__class__.__hash__ is None:
            raise ValueError(f"mutable default {type(f.default)} for field {name} is not allowed: use default_factory")
        spec[name] = f
        types[name] = annotation
    names = list(spec)
    glob: dict[str, Any] = {"__set": object.__setattr__, "__missing": MISSING}
    params, body, seen_default = [], [], False
    for name in names:
        f = spec[name]
        if f.default is not MISSING:
            glob[f"__default_{name}"] = f.default
            params.append(f"{name}=__default_{name}")
            seen_default = True
        elif f.default_factory is not MISSING:
            glob[f"__factory_{name}"] = f.default_factory
            params.append(f"{name}=__missing")
            body.append(f"    if {name} is __missing: {name} = __factory_{name}()")
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {name!r} follows default argument")
        else:
            params.append(name)
        body.append(f"    __set(self, {name!r}, {name})")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    shown = ", ".join(f"{n}={{self.{n}!r}}" for n in names if spec[n].repr)
    compared = "".join(f"self.{n}," for n in names if spec[n].compare)
    other = compared.replace("self.", "other.")
    source = "\n".join(
        [
            f"def __init__(self, {', '.join(params)}):",
            *(body or ["    pass"]),
            "def __repr__(self):",
            f'    return f"{{self.__class__.__qualname__}}({shown})"',
            "def __eq__(self, other):",
            "    if other.__class__ is self.__class__:",
            f"        return ({compared}) == ({other})",
            "    return NotImplemented",
            "def __hash__(self):",
            f"    return hash(({compared}))",
        ]
    )
    methods: dict[str, Any] = {}
    exec(compile(source, f"<record {cls.__qualname__}>", "exec"), glob, methods)
    for name, function in methods.items():
        function.__qualname__ = f"{cls.__qualname__}.{name}"
        if name not in cls.__dict__ or name == "__hash__":
            setattr(cls, name, function)
    made: Any = cls
    made.__setattr__ = _frozen_setattr
    made.__delattr__ = _frozen_delattr
    made.__match_args__ = tuple(names)  # type: ignore[misc]
    made.__record_fields__ = spec
    made.__record_types__ = types
    made.__record_class__ = cls
    made.__dataclass_fields__ = _DataclassFields("__dataclass_fields__")
    made.__dataclass_params__ = _DataclassFields("__dataclass_params__")
    return cls
