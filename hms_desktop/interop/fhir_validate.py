"""FHIR validation at the speed of a bulk export: ``fhir.resources`` once per resource shape,
then every value of every resource checked against its FHIR type.

``fhir.resources`` validates a resource in about 0.3 ms; a 100,000-patient export holds
825,000 resources, so validating each one whole took four minutes of CPU, four times the
export itself. What that validation decides splits in two:

* the **structure**: which elements exist (unknown ones are refused), their nesting, list
  versus single value, the resource type, required elements and "one of" choices
  (``value[x]``). ``fhir_core``'s model validators look only at which elements are present,
  never at their values;
* the **values**: each primitive against its FHIR type (``code``, ``id``, ``dateTime``,
  ``decimal``, ``uri``, a non-empty ``string``...), by the ``Annotated`` type the model
  declares for that element.

A resource's *shape* is its structure with the values taken out (the keys, the nesting,
the list lengths, the Python type of each value). The first resource of each shape is
validated whole by ``fhir.resources``; from the model classes the checker then compiles
the shape into one value check per leaf, each a pydantic ``TypeAdapter`` of the very type
the model declares for that element. Every later resource of that shape has its structure
matched exactly (same shape key) and every value checked by those adapters. A shape the
compiler cannot map with certainty (an element whose model has its own validators, a
field with extra constraints, a ``null``, a nested resource, a list inside a list) is
validated whole every time. A value that fails its check is re-validated whole, so the
error a user sees is the library's own. ``FULL_EVERY``-th resources are also validated
whole as a standing cross-check of the two paths.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from fhir_core.types import FhirBase, FhirElementOrResourceBase
from pydantic import TypeAdapter, ValidationError

Resource = dict[str, Any]
Shape = tuple[Any, ...]

FULL_EVERY = 1000  # a whole validation now and then: the two paths must keep agreeing
SEEN_LIMIT = 500_000  # values remembered as valid (codes, units, references repeat)
_LIST = "[]"


class Unsupported(Exception):
    """A shape this checker will not reason about: validate it whole, every time."""


_DICT = "{}"


def shape_of(node: Any, leaves: list[Any]) -> Any:
    """The structure of ``node`` with its values replaced by their type: a dict as
    ``("{}", key, shape, key, shape, ...)``, a list as ``("[]", shape, ...)``. The values are
    appended to ``leaves`` in the order the compiled checks expect them. Flat tuples and
    values handled inline (no call per value): this walk runs for every exported resource."""
    kind = type(node)
    if kind is dict:
        out: list[Any] = [_DICT]
        for key, value in node.items():
            sub = type(value)
            out.append(key)
            if sub is dict or sub is list:
                out.append(shape_of(value, leaves))
            else:
                leaves.append(value)
                out.append(sub)
        return tuple(out)
    if kind is list:
        out = [_LIST]
        for value in node:
            sub = type(value)
            if sub is dict or sub is list:
                out.append(shape_of(value, leaves))
            else:
                leaves.append(value)
                out.append(sub)
        return tuple(out)
    leaves.append(node)
    return kind


def _is_list_shape(shape: Any) -> bool:
    return isinstance(shape, tuple) and shape[:1] == (_LIST,)


def _is_dict_shape(shape: Any) -> bool:
    return isinstance(shape, tuple) and shape[:1] == (_DICT,)


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """``X | None`` -> X; ``list[X] | None`` -> (X, True)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise Unsupported(f"a union of {args}")
        return _unwrap(args[0])
    if origin is list:
        (item,) = typing.get_args(annotation)
        return item, True
    return annotation, False


_BASE_DECORATORS = FHIRAbstractModel.__pydantic_decorators__


def _own_validators(model: type[FHIRAbstractModel]) -> bool:
    mine = model.__pydantic_decorators__
    base = _BASE_DECORATORS
    return any(set(getattr(mine, kind)) - set(getattr(base, kind))
               for kind in ("validators", "field_validators", "root_validators", "model_validators"))


@cache
def _fields(model: type[FHIRAbstractModel]) -> dict[str, Any]:
    if _own_validators(model):
        raise Unsupported(f"{model.__name__} has validators of its own")
    return {field.alias or name: field for name, field in model.model_fields.items()}


@cache
def _adapter(annotation: Any, leaf_type: type) -> Callable[[Any], Any]:
    """The validator of one primitive FHIR type, for values of one Python type."""
    del leaf_type  # part of the cache key only: a bool and an int never share a memo
    return TypeAdapter(annotation).validate_python


def _compile_dict(shape: Shape, model: type[FHIRAbstractModel], out: list[Any], *,
                  top: bool = False) -> None:
    fields = _fields(model)
    if not _is_dict_shape(shape):
        raise Unsupported(f"{shape!r} for {model.__name__}")
    for key, sub in zip(shape[1::2], shape[2::2], strict=True):
        if top and key == "resourceType":
            out.append(None)  # part of the shape key: fixed for every resource of the shape
            continue
        field = fields.get(key)
        if field is None or field.metadata:
            raise Unsupported(f"{model.__name__}.{key}")
        item, is_list = _unwrap(field.annotation)
        if _is_list_shape(sub) != is_list:
            raise Unsupported(f"{model.__name__}.{key}: list and single value differ")
        for part in (sub[1:] if is_list else (sub,)):
            _compile_item(part, item, out)


def _compile_item(sub: Any, item: Any, out: list[Any]) -> None:
    complex_type = isinstance(item, type) and issubclass(item, FhirBase)
    if isinstance(sub, type):  # a value
        if complex_type or sub is type(None):
            raise Unsupported(f"a {sub.__name__} where {item} is expected")
        try:
            out.append(_adapter(item, sub))
        except TypeError as exc:  # an annotation that cannot be a cache key
            raise Unsupported(str(exc)) from exc
        return
    if not _is_dict_shape(sub) or not complex_type or issubclass(item, FhirElementOrResourceBase):
        raise Unsupported(f"{sub!r} for {item}")
    _compile_dict(sub, item.get_model_klass(), out)


def compile_shape(kind: str, shape: Shape) -> list[Any]:
    """One check per leaf of a resource of this shape (None: a leaf fixed by the shape)."""
    out: list[Any] = []
    _compile_dict(shape, get_fhir_model_class(kind), out, top=True)
    return out


@dataclass
class CheckStats:
    whole: int = 0  # validated by fhir.resources, whole
    by_shape: int = 0  # structure matched to a validated shape, every value checked
    shapes: int = 0
    unsupported_shapes: int = 0


class _Plan:
    """A compiled shape: per leaf, the value check and the values it already passed (one
    set per check, shared by every shape that uses it)."""

    __slots__ = ("checks", "passed")

    def __init__(self, checks: list[Callable[[Any], Any] | None],
                 passed: dict[Callable[[Any], Any] | None, set[Any]]) -> None:
        self.checks = checks
        self.passed = [passed.setdefault(check, set()) for check in checks]


class ShapeChecker:
    """Validates resources as described in the module docstring. ``validate_whole`` is the
    reference (``fhir.resources``); it raises on an invalid resource."""

    def __init__(self, validate_whole: Callable[[Resource], None]) -> None:
        self._whole = validate_whole
        self._plans: dict[Any, _Plan | None] = {}
        self._passed: dict[Callable[[Any], Any] | None, set[Any]] = {}
        self.stats = CheckStats()
        self._count = 0
        self._remembered = 0

    def check(self, resource: Resource) -> None:
        self._count += 1
        leaves: list[Any] = []
        key = (resource.get("resourceType"), shape_of(resource, leaves))
        plan = self._plans.get(key, ...)
        if plan is ...:
            self._validate_whole(resource)  # raises: the shape is not remembered
            self.stats.shapes += 1
            try:
                plan = _Plan(compile_shape(str(key[0]), key[1]), self._passed)
            except Unsupported:
                plan = None
                self.stats.unsupported_shapes += 1
            self._plans[key] = plan
            return
        if plan is None or self._count % FULL_EVERY == 0:
            self._validate_whole(resource)
            return
        # A check is made for one element type and one Python type (``_adapter``), and the
        # shape fixes each leaf's Python type: a remembered True is never taken for a 1.
        new = [(i, value) for i, (passed, value) in enumerate(zip(plan.passed, leaves, strict=True))
               if value not in passed]
        try:
            for i, value in new:
                check = plan.checks[i]
                if check is not None:
                    check(value)
        except (ValidationError, ValueError, TypeError):
            self._validate_whole(resource)  # the library's own message (or its verdict)
            return
        if new:
            self._remember(plan, new)
        self.stats.by_shape += 1

    def _remember(self, plan: _Plan, new: list[tuple[int, Any]]) -> None:
        self._remembered += len(new)
        if self._remembered > SEEN_LIMIT:  # ids and times never repeat: start again
            for passed in self._passed.values():
                passed.clear()
            self._remembered = len(new)
        for i, value in new:
            plan.passed[i].add(value)

    def _validate_whole(self, resource: Resource) -> None:
        self.stats.whole += 1
        self._whole(resource)
