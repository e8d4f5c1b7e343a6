"""The shape of the ``skneural`` package: no import cycles, no oversized modules or classes,
layers that import only downwards, and the import names of skneural 0.1 still working.

The import graph is read from the source with `ast`, not by importing: every ``import`` and
``from ... import`` of a skneural module counts, including those inside functions and methods
(a cycle of deferred imports is still a cycle of concerns, and the one that breaks first when
an import moves to the top of a file).
"""

import ast
import collections
import pathlib
import pickle
import textwrap

import numpy as np
import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "skneural"

MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 300


# -- the import graph --------------------------------------------------------------------------


Edge = collections.namedtuple("Edge", "source target path line scope")
Edge.__doc__ = ("An import in module `source` of the skneural module `target`, at path:line "
                "(path relative to the package's parent), inside function `scope` (None: at module level).")


def package_modules(package_dir):
    """{dotted module name: path} of every .py file under package_dir (a package's own name for its
    ``__init__.py``); the package's name is the directory's."""
    package_dir = pathlib.Path(package_dir)
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        if "__pycache__" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _scopes(tree):
    """{node: name of the innermost function or method around it} for the nodes inside functions."""
    scopes = {}
    for node in ast.walk(tree):  # breadth first: an inner function's name overrides its outer one's
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            name = getattr(node, "name", "<lambda>")
            for inner in ast.walk(node):
                if inner is not node:
                    scopes[inner] = name
    return scopes


def _import_targets(node, module, is_package, modules, root):
    """The modules of package `root` that one Import or ImportFrom node in `module` imports."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name == root or alias.name.startswith(root + ".")]
    if node.level:  # relative: resolved against the module's package
        package = module if is_package else module.rpartition(".")[0]
        parts = package.split(".")
        if node.level - 1 >= len(parts):
            return []  # beyond the top-level package: an ImportError at run time, not our edge
        base = ".".join(parts[:len(parts) - (node.level - 1)])
        origin = f"{base}.{node.module}" if node.module else base
    else:
        origin = node.module
        if not (origin == root or origin.startswith(root + ".")):
            return []
    # from PKG import NAME: the module PKG.NAME if there is one, else (a name defined in PKG) PKG itself
    return [f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in modules else origin for alias in node.names]


def import_graph(package_dir):
    """Every import of one of the package's modules by one of them, as a list of `Edge`.

    Relative imports are resolved; ``from PKG import NAME`` is an import of the module PKG.NAME if
    there is such a module (a file or a package), else of PKG.  The import of a module's parent
    packages that Python makes implicitly is not an edge; an import naming a module's own package
    (``from . import name_defined_in_init``) is.
    """
    package_dir = pathlib.Path(package_dir)
    root = package_dir.name
    modules = package_modules(package_dir)
    edges = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        scopes = _scopes(tree)
        shown = path.relative_to(package_dir.parent).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _import_targets(node, module, path.name == "__init__.py", modules, root):
                    edges.append(Edge(module, target, shown, node.lineno, scopes.get(node)))
    return edges


def strongly_connected_components(nodes, successors):
    """Tarjan's algorithm (iterative): the components, each a sorted list, in no particular order."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(successors.get(start, ())))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors.get(child, ()))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
    return components


def _shortest_path(successors, start, goal, allowed):
    """The shortest path start -> ... -> goal through the allowed nodes (a list of nodes), or None."""
    previous, queue = {start: None}, collections.deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = []
            while node is not None:
                path.append(node)
                node = previous[node]
            return path[::-1]
        for child in sorted(successors.get(node, ())):
            if child in allowed and child not in previous:
                previous[child] = node
                queue.append(child)
    return None


def import_cycles(edges, modules):
    """The import cycles among the modules: a list of cycles, each a list of modules [a, b, ..., a].

    Within each strongly connected component, every edge lies on one of the cycles listed (the
    shortest cycle through the first edge not yet on one), so that each import to undo shows.
    """
    successors = collections.defaultdict(set)
    for edge in edges:
        if edge.target in modules:
            successors[edge.source].add(edge.target)
    cycles = []
    for component in strongly_connected_components(sorted(modules), successors):
        members = set(component)
        inner = sorted((a, b) for a in component for b in successors.get(a, ()) if b in members)
        if len(component) == 1 and not inner:
            continue
        covered = set()
        for a, b in inner:
            if (a, b) in covered:
                continue
            cycle = [a, *_shortest_path(successors, b, a, members)]
            covered.update(zip(cycle, cycle[1:]))
            cycles.append(cycle)
    return cycles


def describe_cycles(cycles, edges):
    where = collections.defaultdict(list)
    for edge in edges:
        scope = f" (in {edge.scope})" if edge.scope else ""
        place = f"{edge.path}:{edge.line}{scope}"
        if place not in where[edge.source, edge.target]:  # `from m import a, b`: one place, two edges
            where[edge.source, edge.target].append(place)
    lines = []
    for cycle in cycles:
        lines.append(" -> ".join(cycle))
        for a, b in zip(cycle, cycle[1:]):
            lines.append(f"    {a} -> {b}: {', '.join(where[a, b])}")
    return "\n".join(lines)


# -- the graph builder, on a package made for it -----------------------------------------------


def write_package(tmp_path, files):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path / "pkg"


def test_the_graph_builder_resolves_every_kind_of_import(tmp_path):
    package = write_package(tmp_path, {
        "pkg/__init__.py": "from .sub import layers\nfrom . import top\n",
        "pkg/top.py": "import os\nimport pkg.sub.layers as L\nfrom pkg import sub\nfrom pkg.sub import helper\n",
        "pkg/sub/__init__.py": "VALUE = 1\n",
        "pkg/sub/layers.py": textwrap.dedent("""\
            from . import VALUE
            from .. import top
            from ..sub import helper, VALUE
            from .helper import thing
            class Layer:
                def method(self):
                    import pkg.other
            """),
        "pkg/sub/helper.py": "import numpy\nfrom . import layers\nfrom ... import beyond\n",
        "pkg/other.py": "\n",
    })
    found = {(e.source, e.target, e.line, e.scope) for e in import_graph(package)}
    assert found == {
        ("pkg", "pkg.sub.layers", 1, None),
        ("pkg", "pkg.top", 2, None),
        ("pkg.top", "pkg.sub.layers", 2, None),
        ("pkg.top", "pkg.sub", 3, None),  # a package imported by name: no edge to pkg for the parent
        ("pkg.top", "pkg.sub.helper", 4, None),
        ("pkg.sub.layers", "pkg.sub", 1, None),  # a name from its own package's __init__
        ("pkg.sub.layers", "pkg.top", 2, None),
        ("pkg.sub.layers", "pkg.sub.helper", 3, None),
        ("pkg.sub.layers", "pkg.sub", 3, None),
        ("pkg.sub.layers", "pkg.sub.helper", 4, None),
        ("pkg.sub.layers", "pkg.other", 7, "method"),
        ("pkg.sub.helper", "pkg.sub.layers", 2, None),
    }


def test_the_cycle_finder_finds_a_cycle_made_by_an_import_inside_a_function(tmp_path):
    package = write_package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from .b import g\n\ndef f():\n    return g()\n",
        "pkg/b.py": "def g():\n    from .a import f\n    return f\n",
        "pkg/c.py": "from . import a, b\n",  # imports both, but is on no cycle
    })
    edges = import_graph(package)
    cycles = import_cycles(edges, package_modules(package))
    assert cycles == [["pkg.a", "pkg.b", "pkg.a"]]
    assert describe_cycles(cycles, edges) == ("pkg.a -> pkg.b -> pkg.a\n"
                                              "    pkg.a -> pkg.b: pkg/a.py:1\n"
                                              "    pkg.b -> pkg.a: pkg/b.py:2 (in g)")


def test_the_cycle_finder_finds_an_import_of_a_modules_own_package_and_of_the_root(tmp_path):
    package = write_package(tmp_path, {
        "pkg/__init__.py": "from .sub import x\nfrom . import plain\n",
        "pkg/plain.py": "def f():\n    import pkg\n",
        "pkg/sub/__init__.py": "from .x import X\n",
        "pkg/sub/x.py": "X = 1\nfrom . import X as again\n",  # a name of pkg.sub: an edge to pkg.sub
    })
    edges = import_graph(package)
    cycles = import_cycles(edges, package_modules(package))
    assert sorted(cycles) == [["pkg", "pkg.plain", "pkg"], ["pkg.sub", "pkg.sub.x", "pkg.sub"]]


def test_the_cycle_finder_passes_a_package_without_cycles(tmp_path):
    package = write_package(tmp_path, {
        "pkg/__init__.py": "from .a import f\nfrom .sub import g\n",
        "pkg/a.py": "from .sub.b import g\n\ndef f():\n    from .sub import c\n",
        "pkg/sub/__init__.py": "from .b import g\n",
        "pkg/sub/b.py": "def g():\n    from . import c\n",
        "pkg/sub/c.py": "import os\n",
    })
    assert import_cycles(import_graph(package), package_modules(package)) == []


# -- skneural itself ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def edges():
    return import_graph(PACKAGE)


def test_skneural_has_no_import_cycles(edges):
    cycles = import_cycles(edges, package_modules(PACKAGE))
    assert not cycles, "import cycles in skneural (each import, even one inside a function, counts):\n" + \
        describe_cycles(cycles, edges)


def test_no_module_imports_the_skneural_package_itself(edges):
    """skneural/__init__.py imports everything, so ``from skneural import x`` (or ``from .. import x``
    from a subpackage) in one of its modules makes that module depend on all of skneural."""
    offenders = dict.fromkeys(f"{e.path}:{e.line} ({e.source})"
                              for e in edges if e.target == "skneural" and e.source != "skneural")
    assert not offenders, "modules importing the skneural package itself; import the module that defines " \
        "the name instead:\n" + "\n".join(offenders)


def test_no_module_or_class_is_too_long():
    offenders = []
    for module, path in package_modules(PACKAGE).items():
        text = path.read_text(encoding="utf-8")
        shown = path.relative_to(PACKAGE.parent).as_posix()
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            offenders.append(f"{shown}: {lines} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text, filename=str(path))):
            if isinstance(node, ast.ClassDef):
                size = node.end_lineno - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    offenders.append(f"{shown}:{node.lineno}: class {node.name}: {size} lines "
                                     f"(at most {MAX_CLASS_LINES})")
    assert not offenders, "too long:\n" + "\n".join(offenders)


def _within(name, package):
    return name == package or name.startswith(package + ".")


LAYERS = [  # (subpackage, what it may not import: a predicate on the imported module's name, which)
    ("skneural.components", lambda target: not _within(target, "skneural.components"),
     "anything of skneural outside skneural.components"),
    ("skneural.nn", lambda target: any(_within(target, p) for p in
                                       ("skneural.estimators", "skneural.persistence", "skneural.cli")),
     "skneural.estimators, skneural.persistence or skneural.cli"),
    ("skneural.training", lambda target: any(_within(target, p) for p in
                                             ("skneural.estimators", "skneural.persistence", "skneural.cli",
                                              "skneural.nn")),
     "skneural.estimators, skneural.persistence, skneural.cli or skneural.nn"),
    ("skneural.persistence", lambda target: any(_within(target, p) for p in ("skneural.estimators", "skneural.cli")),
     "skneural.estimators or skneural.cli"),
    ("skneural.estimators", lambda target: _within(target, "skneural.cli"), "skneural.cli"),
]


@pytest.mark.parametrize("package, forbidden, which", LAYERS, ids=[layer[0] for layer in LAYERS])
def test_lower_layers_do_not_import_higher_ones(edges, package, forbidden, which):
    folder = PACKAGE.parent.joinpath(*package.split("."))
    if not folder.is_dir() or not any(folder.rglob("*.py")):
        pytest.skip(f"{package} does not exist (yet)")
    offenders = dict.fromkeys(f"{e.path}:{e.line}{f' (in {e.scope})' if e.scope else ''}: imports {e.target}"
                              for e in edges if _within(e.source, package) and forbidden(e.target))
    assert not offenders, f"{package} may not import {which}:\n" + "\n".join(offenders)


# -- the names of skneural 0.1 -----------------------------------------------------------------


def test_the_import_names_of_skneural_0_1_still_work():
    import skneural.activations
    import skneural.initializers
    import skneural.losses
    import skneural.optimizers
    from skneural.estimators import NumpyMLPClassifier, NumpyMLPRegressor
    from skneural.layers import Dense
    from skneural.network import NeuralNetwork

    assert skneural.activations.__name__ == "skneural.components.activations"
    for module in (skneural.activations, skneural.initializers, skneural.losses, skneural.optimizers):
        assert module is getattr(skneural, module.__name__.rpartition(".")[2])
    from skneural.activations import ReLU  # noqa: F401
    from skneural.losses import MeanSquaredError  # noqa: F401
    from skneural.optimizers import Adam  # noqa: F401
    from skneural.initializers import GlorotUniform  # noqa: F401

    assert NumpyMLPClassifier is skneural.NumpyMLPClassifier and NumpyMLPRegressor is skneural.NumpyMLPRegressor
    assert NeuralNetwork is skneural.NeuralNetwork and Dense is skneural.Dense


@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_pickled_fitted_estimator_predicts_the_same(early_stopping):
    from sklearn.datasets import load_iris

    from skneural.estimators import NumpyMLPClassifier

    X, y = load_iris(return_X_y=True)
    estimator = NumpyMLPClassifier(hidden_layer_sizes=(8,), max_iter=20, early_stopping=early_stopping,
                                   random_state=0).fit(X, y)
    copy = pickle.loads(pickle.dumps(estimator))
    assert type(copy) is NumpyMLPClassifier
    np.testing.assert_array_equal(copy.predict(X), estimator.predict(X))
    np.testing.assert_array_equal(copy.predict_proba(X), estimator.predict_proba(X))
    copy.set_params(early_stopping=False).partial_fit(X, y)  # and it trains on (partial_fit takes no early stopping)
