"""selfcare uses other packages through their public names only (README, Performance): no `from pkg import _x`, no
`import pkg._x`, no `obj._x` for a name selfcare does not define itself, no dunder beyond Python's own.

The check reads the source (ast), so it needs no app or database. Its bad snippets below show that it catches each
kind of use: a checker that found nothing would fail them.
"""

from __future__ import annotations

import ast
import builtins
import types
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "selfcare"
OWN_ROOT = "selfcare"

# Names that start with an underscore but that their owners document as public. Keep this list short; each line
# names the page that says so.
DOCUMENTED_PUBLIC = frozenset({
    # peewee, "Model options and table metadata" (docs.peewee-orm.com/en/latest/peewee/models.html): "you should
    # not access ModelClass.Meta, but instead use ModelClass._meta"; ModelOptions is the model's metadata API.
    "_meta",
    # Flask, "Notes On Proxies" (flask.palletsprojects.com/en/latest/reqcontext/#notes-on-proxies): "If you need to
    # access the underlying object that is proxied, use the werkzeug.local.LocalProxy._get_current_object method".
    "_get_current_object",
    # Python, collections.namedtuple (docs.python.org/3/library/collections.html#collections.namedtuple): "To prevent
    # conflicts with field names, the method and attribute names start with an underscore."
    "_asdict", "_replace", "_fields", "_make",
})

# Python's own dunders: those of the built-in types, modules, functions and classes, and the data model's protocols
# (docs.python.org/3/reference/datamodel.html) that no built-in type below happens to carry.
STANDARD_DUNDERS = frozenset(
    name
    for kind in (object, type, int, float, str, bytes, list, dict, set, tuple, types.ModuleType, types.FunctionType,
                 types.MethodType, property, staticmethod, classmethod, BaseException, types.CodeType)
    for name in dir(kind)
    if name.startswith("__") and name.endswith("__")
) | {
    "__all__", "__file__", "__path__", "__spec__", "__loader__", "__package__", "__version__", "__future__",
    "__enter__", "__exit__", "__aenter__", "__aexit__", "__iter__", "__next__", "__aiter__", "__anext__",
    "__await__", "__call__", "__len__", "__contains__", "__getitem__", "__setitem__", "__delitem__", "__missing__",
    "__bool__", "__set_name__", "__get__", "__set__", "__delete__", "__getattr__", "__post_init__", "__wrapped__",
    "__slots__", "__dict__", "__weakref__", "__annotations__", "__match_args__", "__dataclass_fields__",
    "__orig_bases__", "__main__", "__builtins__", "__debug__", "__html__",  # __html__: markupsafe's documented protocol
}


def is_dunder(name: str) -> bool:
    """`__x__`."""
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def is_private(name: str) -> bool:
    """A leading underscore that is not a dunder (`_x`, `__x`)."""
    return name.startswith("_") and not is_dunder(name) and name != "_"


def defined_names(tree: ast.AST) -> set[str]:
    """Every name a module defines or binds: functions, classes, arguments, assigned names, attributes set on
    `self` or `cls`, imports' own names and `__slots__` entries."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del))
              and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            names.add(node.attr)  # an attribute of our own object; `instance._pk = ...` on another's object is not ours
        elif isinstance(node, ast.alias) and node.asname:
            names.add(node.asname)
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__slots__" for t in node.targets):
            names |= {c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return names


def _imported_from(module: str | None, level: int) -> bool:
    """Whether an import comes from another package (not selfcare, not relative)."""
    return level == 0 and module is not None and module.split(".")[0] != OWN_ROOT


def problems(tree: ast.AST, own: set[str]) -> Iterator[tuple[int, str]]:
    """(line, what) for each use of another package's private name, or of a dunder Python does not define."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _imported_from(node.module, node.level):
            assert node.module is not None
            hidden = [part for part in node.module.split(".") if is_private(part)]
            if hidden:
                yield node.lineno, f"from {node.module} import ...: private module {hidden[0]}"
            for alias in node.names:
                if is_private(alias.name) or (is_dunder(alias.name) and alias.name not in STANDARD_DUNDERS):
                    yield node.lineno, f"from {node.module} import {alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _imported_from(alias.name, 0) and any(is_private(part) for part in alias.name.split(".")):
                    yield node.lineno, f"import {alias.name}"
        elif isinstance(node, ast.Attribute):
            yield from _attribute(node.lineno, node.attr, own)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and is_dunder(node.name) and node.name not in STANDARD_DUNDERS:
            yield node.lineno, f"defines {node.name}: not one of Python's own dunders (another package's, copied?)"
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
              and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            yield from _attribute(node.lineno, node.args[1].value, own)


def _attribute(line: int, name: str, own: set[str]) -> Iterator[tuple[int, str]]:
    """A problem if `.name` is another package's private name or a dunder Python does not define."""
    if is_dunder(name):
        if name not in STANDARD_DUNDERS:
            yield line, f".{name}: not one of Python's own dunders"
    elif is_private(name) and name not in own and name not in DOCUMENTED_PUBLIC:
        yield line, f".{name}: private, and not defined in selfcare"


def sources() -> list[Path]:
    """Every Python file of the package."""
    return sorted(PACKAGE.rglob("*.py"))


def own_names(trees: Iterable[ast.AST]) -> set[str]:
    """The names selfcare defines anywhere (so `self._kept` or `row._local` of our own classes pass)."""
    names: set[str] = set()
    for tree in trees:
        names |= defined_names(tree)
    return names


def check(source: str, own: set[str] | frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """The problems in one piece of source, with `own` and the snippet's own definitions counted as selfcare's."""
    tree = ast.parse(source)
    return list(problems(tree, set(own) | defined_names(tree)))


TREES = {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in sources()}
OWN = own_names(TREES.values())


@pytest.mark.parametrize("path", sorted(TREES), ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_selfcare_uses_only_public_names_of_other_packages(path: Path) -> None:
    """No private name or unknown dunder of another package in this file."""
    found = list(problems(TREES[path], OWN))
    assert not found, "\n".join(f"{path.relative_to(PACKAGE.parent)}:{line}: {what}" for line, what in found)


BAD = [
    ("from markupsafe._speedups import _escape_inner", "private module"),
    ("from flask_wtf.csrf import _FlaskFormCSRF", "import _FlaskFormCSRF"),
    ("from peewee import __data__", "import __data__"),
    ("import werkzeug._internal", "import werkzeug._internal"),
    ("import markupsafe._speedups as fast", "import markupsafe._speedups"),
    ("wrapper = query._get_cursor_wrapper(cursor)", "._get_cursor_wrapper"),
    ("field._choices = []", "._choices"),  # setting another object's private attribute is using it
    ("def f(field):\n    return field._choices", "._choices"),
    ("instance._pk = 3", "._pk"),
    ("instance._dirty.clear()", "._dirty"),
    ("row.__data__['id']", ".__data__"),
    ("getattr(row, '__data__')", ".__data__"),
    ("getattr(form, '_fields_cache')", "._fields_cache"),
    ("setattr(instance, '_pk', 3)", "._pk"),
    ("x = obj.__rel__", ".__rel__"),
    ("class Loaded:\n    @property\n    def __data__(self):\n        return self.__dict__", "defines __data__"),
]


@pytest.mark.parametrize(("snippet", "caught"), BAD)
def test_the_check_catches_each_kind_of_private_use(snippet: str, caught: str) -> None:
    """Each bad snippet is reported, naming the private name (so the file check cannot pass by finding nothing)."""
    found = check(snippet)
    assert any(caught in what for _, what in found), (snippet, found)


GOOD = [
    "from __future__ import annotations",
    "from selfcare.http_cache import _now",  # our own private names, across our modules
    "from . import _helpers",
    "class Frame:\n    def __init__(self):\n        self._links = {}\n    def url(self):\n        return self._links",
    "Model._meta.primary_key",
    "current_app._get_current_object()",
    "point._replace(x=1)._asdict()",
    "obj.__class__.__name__, obj.__dict__",
    "with lock:\n    type(x).__mro__",
    "class Markup:\n    def __html__(self):\n        return ''",
]


@pytest.mark.parametrize("snippet", GOOD)
def test_public_and_own_names_pass(snippet: str) -> None:
    """Our own private names, Python's dunders and the documented exceptions are not reported."""
    assert check(snippet) == []


def test_own_names_do_not_include_every_private_name() -> None:
    """The set of selfcare's own names must not swallow the names the bad snippets use (a check that allowed
    everything selfcare happens to mention would be vacuous)."""
    assert not {"_get_cursor_wrapper", "_dirty", "_pk", "_choices", "_FlaskFormCSRF", "_escape_inner"} & OWN
