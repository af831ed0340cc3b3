"""Load scikit-learn's test files with its estimators rebound to sparsereg's.

A test file of the installed scikit-learn is parsed, every ``from
sklearn.linear_model import ...`` / ``from sklearn.neural_network import ...`` of a
bound name (at module level, where ``pytest.mark.parametrize`` lists are built, and
inside test bodies) becomes an assignment from :data:`BOUND`, attribute reads such
as ``linear_model.Lasso`` are redirected the same way, pytest's assertion rewriting
is applied, and the code runs in the namespace of a shim module under
``tests/conformance``, which pytest then collects like any test module.

Applicability is recorded at run time: while a conformance test runs,
:class:`Recorder` notes every bound class constructed and every bound path function
called from outside sparsereg (sparsereg's CV estimators building a ``Lasso``
internally do not count).
"""

import ast
import functools
import sys
from pathlib import Path
from types import SimpleNamespace

import sklearn

import sparsereg
import sparsereg.neural_network

#: The scikit-learn modules whose public names are rebound.
REBOUND_MODULES = ("sklearn.linear_model", "sklearn.neural_network")

#: The classes rebound to sparsereg's.
BOUND_CLASSES = {
    "Lasso": sparsereg.Lasso,
    "ElasticNet": sparsereg.ElasticNet,
    "LassoCV": sparsereg.LassoCV,
    "ElasticNetCV": sparsereg.ElasticNetCV,
    "Ridge": sparsereg.Ridge,
    "RidgeCV": sparsereg.RidgeCV,
    "PoissonRegressor": sparsereg.PoissonRegressor,
    "MLPRegressor": sparsereg.neural_network.MLPRegressor,
    "MLPClassifier": sparsereg.neural_network.MLPClassifier,
}

_SPARSEREG_DIR = str(Path(sparsereg.__file__).resolve().parent)
_BOUND_NAME = "__conformance_bound__"


class Recorder:
    """The bound names a running test used: constructed classes, called paths.

    Attributes
    ----------
    names : set of str or None
        The names noted since :meth:`start`; None when no test is recorded.
    """

    def __init__(self):
        self.names = None

    def note(self, name, depth=2):
        """Note ``name`` if a test is recorded and the caller ``depth`` frames up
        is not sparsereg's own code."""
        if self.names is None:
            return
        if not _in_sparsereg(sys._getframe(depth).f_code.co_filename):
            self.names.add(name)

    def start(self):
        """Begin a test: hook the bound classes' ``__init__``, clear the notes.

        (Not ``__new__``: a ``__new__`` set on a class and deleted again leaves
        CPython's ``object.__new__`` refusing the constructor's arguments, and one
        left in place hides ``__init__``'s signature from ``get_params``.)"""
        self.names = set()
        for cls in BOUND_CLASSES.values():
            init = cls.__dict__["__init__"]
            if not getattr(init, "_records", False):
                cls.__init__ = _recording_init(init)

    def stop(self):
        """End a test: unhook the classes; return the names noted."""
        for cls in BOUND_CLASSES.values():
            init = cls.__dict__["__init__"]
            if getattr(init, "_records", False):
                cls.__init__ = init.__wrapped__
        names, self.names = self.names, None
        return names


RECORDER = Recorder()


@functools.cache
def _in_sparsereg(filename):
    """Whether the code of ``filename`` is sparsereg's own."""
    return str(Path(filename).resolve()).startswith(_SPARSEREG_DIR)


def _recording_init(init):
    """``init`` (a bound class's ``__init__``) noting, during a test, the most
    derived bound class of the instance (a test's ``class LassoMock(Lasso)`` counts
    as Lasso). ``functools.wraps`` keeps the signature ``get_params`` reads."""

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        if RECORDER.names is not None:
            bound = next(c for c in type(self).__mro__
                         if c in BOUND_CLASSES.values())
            RECORDER.note(bound.__name__, depth=2)
        init(self, *args, **kwargs)

    __init__._records = True
    return __init__


def _recorded(func):
    """``func`` noting its calls (the path functions)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        RECORDER.note(func.__name__, depth=2)
        return func(*args, **kwargs)

    return wrapper


#: The names bound in the test modules, each to sparsereg's object.
BOUND = {
    **BOUND_CLASSES,
    "lasso_path": _recorded(sparsereg.lasso_path),
    "enet_path": _recorded(sparsereg.enet_path),
}


def bound_names_of(value):
    """The bound names that a test parameter value stands for: a bound class or
    function, or an instance (constructed at import time) of a bound class, also
    inside a tuple or list (a fixture's parameters, say)."""
    if isinstance(value, tuple | list):
        return set().union(set(), *map(bound_names_of, value))
    for name, obj in BOUND.items():
        if value is obj:
            return {name}
    if isinstance(value, tuple(BOUND_CLASSES.values())):
        cls = next(c for c in type(value).__mro__ if c in BOUND_CLASSES.values())
        return {cls.__name__}
    return set()


def referenced_names(funcs, namespace):
    """The bound names that ``funcs`` (a test function, its fixtures, and the
    module's functions it is parametrized with) can reach in their module
    ``namespace``, statically.

    Their code is followed through nested functions and comprehensions, and into
    the module's own functions and classes that it names; a module global holding
    a bound object (in a list or tuple, say) counts as that object's name. An
    empty set means the test cannot use sparsereg: it tests scikit-learn alone.
    """
    names, seen = set(), set()
    stack = [code for f in funcs for code in _module_code(f, namespace)]
    while stack:
        code = stack.pop()
        if code is None or code in seen:
            continue
        seen.add(code)
        stack.extend(c for c in code.co_consts if hasattr(c, "co_names"))
        for name in code.co_names:
            if name in BOUND:
                names.add(name)
            elif name in namespace:
                value = namespace[name]
                names |= _held_names(value)
                stack.extend(_module_code(value, namespace))
    return names


def _held_names(value, depth=2):
    """The bound names of ``value`` or of the items of a container value."""
    names = bound_names_of(value)
    if depth and isinstance(value, (list, tuple, set, frozenset, dict)):
        items = value.values() if isinstance(value, dict) else value
        for item in items:
            names |= _held_names(item, depth - 1)
    return names


def _module_code(value, namespace):
    """The code objects of a function or class defined in ``namespace``."""
    value = getattr(value, "__wrapped__", value)
    if getattr(value, "__globals__", None) is namespace:
        return [value.__code__]
    if isinstance(value, type) and value.__module__ == namespace.get("__name__"):
        return [getattr(v, "__code__", None) for v in vars(value).values()]
    return []


def sklearn_test_path(relative):
    """The path of one of the installed scikit-learn's test files."""
    path = Path(sklearn.__file__).parent / relative
    if not path.is_file():
        raise FileNotFoundError(
            f"scikit-learn {sklearn.__version__} has no test file {relative} (looked "
            f"at {path}): the conformance run needs a scikit-learn that ships its "
            "tests, as the PyPI wheels do"
        )
    return path


class _Rebind(ast.NodeTransformer):
    """Imports and attribute reads of the bound names -> reads of ``BOUND``."""

    def __init__(self):
        self.rebound = set()

    def _bound(self, name, node):
        self.rebound.add(name)
        target = ast.Attribute(ast.Name(_BOUND_NAME, ast.Load()), name, ast.Load())
        return ast.copy_location(target, node)

    def visit_ImportFrom(self, node):
        if node.level or node.module not in REBOUND_MODULES:
            return node
        kept = [a for a in node.names if a.name not in BOUND]
        out = [ast.copy_location(ast.ImportFrom(node.module, kept, 0), node)] if kept \
            else []
        for alias in node.names:
            if alias.name in BOUND:
                target = ast.Name(alias.asname or alias.name, ast.Store())
                assign = ast.Assign([target], self._bound(alias.name, node))
                out.append(ast.copy_location(assign, node))
        return out or ast.copy_location(ast.Pass(), node)

    def visit_Attribute(self, node):
        self.generic_visit(node)
        module = _dotted(node.value).split(".")[-1]
        if node.attr in BOUND and isinstance(node.ctx, ast.Load) and \
                module in ("linear_model", "neural_network"):
            return self._bound(node.attr, node)
        return node


def _dotted(node):
    """``a.b.c`` of a chain of attribute reads on a name, else ``""``."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    return ".".join([node.id, *reversed(parts)])


def rewrite(source, filename):
    """The code of ``source`` with the bound names rebound, and those names.

    Parameters
    ----------
    source : str
        A scikit-learn test module's source.
    filename : str
        Its path (tracebacks point to its lines, which the rewrite keeps).

    Returns
    -------
    code : code object
        The module's code, to run in a namespace holding ``BOUND``.
    rebound : set of str
        The bound names the module imports or reads.
    """
    tree = ast.parse(source, filename)
    rebind = _Rebind()
    tree = ast.fix_missing_locations(rebind.visit(tree))
    try:  # pytest's assertion introspection, as for any test module
        from _pytest.assertion.rewrite import rewrite_asserts

        rewrite_asserts(tree, source.encode(), filename)
    except (ImportError, TypeError):  # a pytest without this private helper
        pass
    return compile(tree, filename, "exec", dont_inherit=True), rebind.rebound


def load_into(namespace, relative):
    """Run scikit-learn's test file ``relative`` (e.g.
    ``"linear_model/tests/test_ridge.py"``) in ``namespace``, a shim module's
    globals, with the bound names rebound to sparsereg's.

    Parameters
    ----------
    namespace : dict
        The globals of the module pytest collects.
    relative : str
        The test file's path inside the scikit-learn package.
    """
    path = sklearn_test_path(relative)
    code, rebound = rewrite(path.read_text(encoding="utf-8"), str(path))
    namespace[_BOUND_NAME] = SimpleNamespace(**BOUND)
    namespace["SKLEARN_TEST_FILE"] = relative
    namespace["REBOUND_NAMES"] = frozenset(rebound)
    exec(code, namespace)
