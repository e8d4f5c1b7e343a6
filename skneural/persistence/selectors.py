"""make_column_selector in a model file: its ``pattern`` and the dtypes it includes and excludes,
each from a fixed table (types, and the names pandas' ``select_dtypes`` takes), and a pattern only if
:func:`pattern_problem` finds it safe to run: a file chooses the pattern, and Python's ``re`` can take
time exponential in the length of a column name to match patterns such as "(a+)+$"."""

import re

import numpy as np
from sklearn.compose import make_column_selector

from .archive import ArchiveError
from .values import fields

__all__ = ["encode_selector", "decode_selector", "pattern_problem"]

# the dtypes a make_column_selector may name, by the name a file holds: types, and the strings
# pandas' select_dtypes takes (as "str:name")
_TYPES = {"number": np.number, "object": object, "bool": bool, "float": float, "int": int, "np.bool_": np.bool_,
          "float64": np.float64, "float32": np.float32, "int64": np.int64, "int32": np.int32}
_DTYPES = {**_TYPES, **{f"str:{name}": name for name in (
    "number", "object", "category", "bool", "string", "datetime", "datetimetz", "timedelta", "float64", "float32",
    "int64", "int32", "float", "int")}}
_MAX_PATTERN = 200
_NAME = 100  # the length of column name the cost of a pattern is reckoned on
_MAX_COST = 10**6  # ways a match may backtrack at each position of such a name
_ESCAPES = set("dDwWsSntrfvbBAZ")  # the letters a pattern may escape (\b \B \A \Z: anchors)
_COUNT = re.compile(r"\{(\d{0,4})(?:(,)(\d{0,4}))?\}")


def _escape_problem(pattern, i):
    e = pattern[i + 1] if i + 1 < len(pattern) else ""
    if not e or e.isdigit() or e.isalpha() and e not in _ESCAPES or not e.isascii():
        return f"the escape \\{e} (backreferences and escapes of digits or other letters are refused)"
    return None


def _repeats(pattern, i):
    """(the characters of the quantifier at ``i``, how many ways it can repeat on a name of _NAME characters)"""
    if pattern[i] != "{":
        return 1, 2 if pattern[i] == "?" else _NAME
    count = _COUNT.match(pattern, i)
    if not count or not (count.group(1) or count.group(3)):
        return 0, 0
    low, high = int(count.group(1) or 0), int(count.group(3) or _NAME) if count.group(2) else int(count.group(1))
    return count.end() - i, max(1, min(high - low + 1, _NAME))


def pattern_problem(pattern):
    r"""Why a make_column_selector's ``pattern`` is refused, or None.  A pattern is read by this scanner,
    never run.  It may hold at most 200 characters: literals, escapes of punctuation and of d D w W s S
    n t r f v, anchors (^ $ \b \B \A \Z), '.', character classes [...], alternation '|', groups ( )
    and (?: ), and quantifiers (* + ? {m} {m,} {m,n}, each possibly lazy), each after a character, a
    class, '.' or a group holding neither a quantifier nor an alternation.  Nested quantifiers
    ("(a+)+"), quantified alternations ("(a|aa)*"), backreferences ("\1"), lookarounds, named groups and
    inline flags are refused: Python's re can take time exponential in the length of a column name to
    match them.  What is left backtracks at most polynomially, and its cost, the product of the
    branches of each alternation and of the repetitions each quantifier allows on a name of 100
    characters (100 for * + and open counts, 2 for ?), must be at most 10**6: e.g. three * or +, or
    nineteen groups of two branches one after the other."""
    if not (isinstance(pattern, str) and len(pattern) <= _MAX_PATTERN):
        return f"it is not a string of at most {_MAX_PATTERN} characters"
    # for each open group: [whether it holds an alternation or a quantifier, its branches]
    groups, last, cost, i = [[False, 1]], None, 1, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if _escape_problem(pattern, i):
                return _escape_problem(pattern, i)
            last, i = None if pattern[i + 1] in "bBAZ" else "atom", i + 2
        elif c == "[":
            j = i + 1 + (pattern[i + 1:i + 2] == "^")
            j += pattern[j:j + 1] == "]"
            while j < len(pattern) and pattern[j] != "]":
                if pattern[j] == "[" or pattern[j] == "\\" and _escape_problem(pattern, j):
                    return _escape_problem(pattern, j) if pattern[j] == "\\" else "a [ inside a character class"
                j += 2 if pattern[j] == "\\" else 1
            if j >= len(pattern):
                return "a character class without its ]"
            last, i = "atom", j + 1
        elif c == "(":
            if pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
                return "a group other than ( ) and (?: ) (lookarounds, named groups and flags are refused)"
            groups.append([False, 1])
            last, i = None, i + (3 if pattern.startswith("(?:", i) else 1)
        elif c == ")":
            if len(groups) == 1:
                return "a ) without its ("
            complex_, branches = groups.pop()
            cost *= branches
            last = "complex group" if complex_ else "atom"
            groups[-1][0] = groups[-1][0] or complex_
            i += 1
        elif c in "*+?{":
            width, repeats = _repeats(pattern, i)
            if not width:
                return "a { that does not start a count {m}, {m,}, {,n} or {m,n} of at most 4 digits (escape it as \\{)"
            if last != "atom":
                return {None: "a quantifier with nothing to repeat", "quantified": "a quantifier after a quantifier",
                        "complex group": "a quantifier of a group holding a quantifier or an alternation"}[last]
            cost *= repeats
            groups[-1][0], last = True, "quantified"
            i += width
            i += pattern[i:i + 1] == "?"  # lazy
        else:
            if c == "|":
                groups[-1] = [True, groups[-1][1] + 1]
            last, i = None if c in "^$|" else "atom", i + 1
    if len(groups) > 1:
        return "a ( without its )"
    cost *= groups[0][1]
    if cost > _MAX_COST:
        return (f"a pattern that may try {cost:,} ways to match at each position of a name of {_NAME} characters "
                f"(at most {_MAX_COST:,}: use fewer quantifiers or alternations)")
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"it is not a regular expression ({exc})"
    return None


def _dtype_names(value):
    values = [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]
    names = []
    for v in values:
        name = f"str:{v}" if isinstance(v, str) and f"str:{v}" in _DTYPES else next(
            (k for k, d in _TYPES.items() if d is v), None)
        if name is None:
            raise TypeError(f"a make_column_selector with the dtype {v!r}")
        names.append(name)
    return None if value is None else names if isinstance(value, (list, tuple)) else names[0]


def encode_selector(selector):
    problem = None if selector.pattern is None else pattern_problem(selector.pattern)
    if problem:
        raise TypeError(f"a make_column_selector with pattern={selector.pattern!r}, refused as {problem}")
    return {"selector": {"pattern": selector.pattern, "dtype_include": _dtype_names(selector.dtype_include),
                         "dtype_exclude": _dtype_names(selector.dtype_exclude)}}


def decode_selector(v, where):
    fields(v, where, ["pattern", "dtype_include", "dtype_exclude"])
    problem = None if v["pattern"] is None else pattern_problem(v["pattern"])
    if problem:
        raise ArchiveError(f"{where}.pattern is refused: {problem}")
    kwargs = {"pattern": v["pattern"]}
    for key in ("dtype_include", "dtype_exclude"):
        names = v[key]
        if isinstance(names, list) and len(names) <= len(_DTYPES) and all(isinstance(n, str) and n in _DTYPES
                                                                           for n in names):
            kwargs[key] = [_DTYPES[n] for n in names]
        elif names is None or isinstance(names, str) and names in _DTYPES:
            kwargs[key] = None if names is None else _DTYPES[names]
        else:
            raise ArchiveError(f"{where}.{key} names a dtype a selector may not have")
    return make_column_selector(**kwargs)
