"""What ``skneural train`` makes of a table's columns, and the same preparation at prediction time.

Each column is a numeric (numbers; True/False as 1/0), categorical (text) or date feature, or is
left out with a reason (an ID, free text, a constant, empty).  A number column but for a few texts
is refused (they may be missing-value markers: --na-values).  Numeric and categorical columns go to scikit-learn's
``ColumnTransformer`` (`build_preprocessor`); a date column is turned into numeric columns
(year, month, day, day of the week) here, before it, by `prepare_features` at both training
and prediction time, as the model file's metadata records which columns are dates (`dates`).
"""

import re

import numpy as np

from .dates import DATE_PARTS, date_columns, date_form, date_order, date_parts, to_datetime
from .errors import UsageError
from .frames import looks_like_decimal_comma, row_at

__all__ = ["DATE_PARTS", "build_preprocessor", "date_columns", "describe", "plan_columns", "prepare_features"]

MIN_ROWS_FOR_ID = 20  # below this, a column unique on every row may well be a feature
# A whole-number column distinct on every row is an ID only if its values are row numbers (0..n-1
# or 1..n, in any order) or its name says so: id, index, key, uuid, guid (any case), or a name
# ending in id/Id/ID after a separator (customer_id, order-ID, "user id") or, in CamelCase, Id or ID
# after a lower-case letter (PassengerId, CustomerID).  Other such columns (incomes, counts, years,
# prices in cents; AMOUNT_PAID, COVID, GRID, humid) are features.  --keep overrides every such rule.
_ID_NAME = re.compile(r"(?i:id|index|key|uuid|guid)|.*(?:[_ -](?i:id)|[a-z](?:Id|ID))")
# Free text (names, tickets, comments): a text column with more than FREE_TEXT_MIN_DISTINCT distinct
# values, distinct on more than FREE_TEXT_SHARE of its rows with a value.  One-hot encoding learns
# nothing from it: a value seen once says nothing about a new row, and with most values distinct
# most rows fall below `min_frequency` (5 rows at least) and end up in the one "infrequent" column,
# while the others make the model file large.  A real category column repeats its values: even
# with 200 categories, 1,000 rows see each 5 times on average.  Below 50 distinct values a column is
# small enough to keep whatever it is (a short table's categories may well be mostly distinct).
FREE_TEXT_MIN_DISTINCT = 50
FREE_TEXT_SHARE = 0.5
# A text column whose values are numbers but for a few (at most 5%) is numbers with some
# marker of a missing value pandas does not know ('-', 'missing', ...): refused, naming one.
NEARLY_NUMBERS = 0.95


def is_boolean(series):
    """Whether the column's values are all True or False (missing ones aside): pandas reads such
    a column as bool, or as objects when values are missing.  These are numeric features (1 and
    0), as scikit-learn's SimpleImputer makes them of the DataFrame from pd.read_csv too."""
    if series.dtype.kind == "b":
        return True
    values = series.dropna()
    return series.dtype.kind == "O" and not values.empty and bool(values.map(type).isin([bool, np.bool_]).all())


def _is_id(name, series, rows, kind, is_date):
    if rows < MIN_ROWS_FOR_ID or is_date or series.nunique(dropna=False) != rows:
        return False
    if kind == "O":
        return True
    values = series.to_numpy(dtype=float) if kind in "iuf" else None
    if values is None or np.isnan(values).any() or not np.all(values == np.round(values)):
        return False
    row_numbers = values.min() in (0, 1) and values.max() - values.min() + 1 == rows
    return row_numbers or bool(_ID_NAME.fullmatch(name))


def _check_not_nearly_numbers(frame, name, path, sep):
    """An error naming a value of a text column that is numbers but for a few values."""
    import pandas as pd

    values = frame[name].dropna()
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.isna().all() or numbers.notna().mean() < NEARLY_NUMBERS:
        return
    label = numbers.index[numbers.isna().to_numpy()][0]  # the row's position in the file, as read
    line, text = (row_at(path, sep, int(label), list(frame.columns), name, frame.attrs.get("encoding"))
                  if path else (int(label) + 2, str(values[label])))
    raise UsageError(f"{path or 'the file'}, line {line}, column {name!r}: {text!r} is not a number, but "
                     f"{numbers.notna().sum()} of the column's {len(values)} values are: if {text!r} marks a "
                     f"missing value, say so with --na-values {text!r}; else fix or drop that value")


def _keep_hint(name):
    return f" (--keep {name} to use it)" if re.fullmatch(r"[\w.-]+", name) else f" (--keep {name!r} to use it)"


def plan_columns(frame, target, drop=(), features=None, path=None, sep=",", keep=()):
    """{'numeric': [...], 'categorical': [...], 'dates': [...], 'date_order': {...}, 'booleans': [...],
    'notes': [...]}.

    features (a list) is used as given; otherwise every column but the target and drop,
    less the IDs, free text, constants and empty columns, each with a note saying so, but those in
    keep (--keep: used whatever the rules say; a date column left out is then used as text).  Boolean
    columns are numeric (listed in 'booleans' too, for `describe`); date_order names the order
    of the day-month dates' fields (see `dates`).  path and sep: the file, for messages."""
    columns = [c for c in frame.columns if c != target]
    for name in [*(features or []), *drop, *keep]:
        if name not in frame.columns:
            raise UsageError(f"there is no column {name!r}; the columns are: {', '.join(frame.columns)}")
        if name == target:
            raise UsageError(f"{name!r} is the target; it cannot be a feature")
    both = [name for name in (features or []) if name in drop]
    if both:
        raise UsageError(f"{both[0]!r} is both dropped and chosen with --features")
    both = [name for name in keep if name in drop]
    if both:
        raise UsageError(f"{both[0]!r} is both dropped and kept with --keep")
    both = [name for name in keep if features and name not in features]
    if both:
        raise UsageError(f"--keep {both[0]!r}: with --features, only the columns it names are used; add it there")
    plan = {"numeric": [], "categorical": [], "dates": [], "date_order": {}, "booleans": [], "notes": []}
    chosen = list(dict.fromkeys(features)) if features else [c for c in columns if c not in drop]
    plan["notes"] += [f"Left out {name!r}: --drop" for name in drop]
    rows = len(frame)
    for name in chosen:
        series = frame[name]
        kind = series.dtype.kind
        form = date_form(series)
        boolean = is_boolean(series)
        if kind == "O" and not form and not boolean:
            _check_not_nearly_numbers(frame, name, path, sep)
        if not features and name not in keep:
            distinct = series.nunique(dropna=False)
            if series.isna().all():
                plan["notes"].append(f"Left out {name!r}: empty on every row{_keep_hint(name)}")
                continue
            if distinct <= 1:
                plan["notes"].append(f"Left out {name!r}: the same value on every row{_keep_hint(name)}")
                continue
            if kind == "O" and not form and series.dropna().iloc[:200].map(looks_like_decimal_comma).all():
                plan["notes"].append(f"Left out {name!r}: numbers with a decimal comma, read as text; read the file "
                                     "with --decimal , to use them" + _keep_hint(name).replace("to use it", "to use it as text"))
                continue
            if _is_id(name, series, rows, kind, form):
                plan["notes"].append(f"Left out {name!r}: unique on every row (an ID){_keep_hint(name)}")
                continue
            if kind == "O" and not form and not boolean and (note := _free_text(name, series)):
                plan["notes"].append(note + _keep_hint(name))
                continue
        if form:
            if not _plan_date(plan, frame, name, form) and name in keep:
                why = plan["notes"][-1].partition(": ")[2].rpartition(" (--keep")[0]
                plan["notes"][-1] = f"Kept {name!r} as text (--keep), not as dates: {why}"
                plan["categorical"].append(name)
        elif kind in "iufb" or boolean:
            plan["numeric"].append(name)
            if boolean:
                plan["booleans"].append(name)
        else:
            plan["categorical"].append(name)
    if not (plan["numeric"] or plan["categorical"] or plan["dates"]):
        reasons = "; ".join(note.removeprefix("Left out ") for note in plan["notes"])
        raise UsageError(f"no feature columns are left besides the target {target!r}"
                         + (f" (left out: {reasons})" if reasons else ""))
    return plan


def _plan_date(plan, frame, name, form):
    """Add the date column to the plan (True), or a note leaving it out (False)."""
    series, order, how = frame[name], None, ""
    if form == "day-month":
        order, example = date_order(series)
        if order is None:
            why = (f"its dates read both ways, {example}" if " and " in example else
                   f"dates such as {example} could be day or month first (no field above 12 tells which)")
            plan["notes"].append(f"Left out {name!r}: {why}; write the dates as YYYY-MM-DD to use them"
                                 + _keep_hint(name).replace("to use it", "to use it as text"))
            return False
        how = f" (read {order}, as {example} tells)"
    parsed = to_datetime(series, order)
    if parsed.notna().sum() < max(1, 0.9 * series.notna().sum()):
        plan["notes"].append(f"Left out {name!r}: looks like a date, but not every value reads as one"
                             + _keep_hint(name).replace("to use it", "to use it as text"))
        return False
    clash = [c for c in date_columns(name) if c in frame.columns]
    if clash:
        raise UsageError(f"the date column {name!r} would become {clash[0]!r}, which is already a column")
    plan["dates"].append(name)
    if order:
        plan["date_order"][name] = order
    plan["notes"].append(f"Date {name!r}{how}: turned into the numeric features {', '.join(date_columns(name))}")
    return True


def _free_text(name, series):
    """A note leaving the text column out if it is free text (see FREE_TEXT_MIN_DISTINCT), else None."""
    present = int(series.notna().sum())
    distinct = series.nunique(dropna=True)
    if distinct <= FREE_TEXT_MIN_DISTINCT or distinct <= FREE_TEXT_SHARE * present:
        return None
    rows = f"{present} rows" if present == len(series) else f"{present} rows with a value"
    return f"Left out {name!r}: free text ({distinct} distinct values in {rows})"


def decimal_comma_hint(text, frame, sep):
    """What to say of a value such as '1,5' that was not read as a number, or None."""
    if sep != "," and frame.attrs.get("decimal", ".") != "," and looks_like_decimal_comma(text):
        return "it looks like a number with a decimal comma: read the file with --decimal ,"
    return None


def min_frequency(rows):
    """Categories seen fewer times than this are grouped as 'infrequent' (at most ~200 kept per column)."""
    return max(5, int(0.005 * rows))


def build_preprocessor(plan, rows):
    """scikit-learn's ColumnTransformer for the plan's columns: numeric (median-imputed, with a
    missing indicator where values are missing, scaled) and categorical (missing as its own
    category, one-hot, rare categories grouped, unknown ones ignored)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = plan["numeric"] + [c for name in plan["dates"] for c in date_columns(name)]
    parts = []
    if numeric:
        parts.append(("numeric", Pipeline([("impute", SimpleImputer(strategy="median", add_indicator=True)),
                                           ("scale", StandardScaler())]), numeric))
    if plan["categorical"]:
        encoder = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=min_frequency(rows),
                                sparse_output=False, dtype=np.float32)  # as the lean numeric columns: the
        # network trains in float32 on what is half the memory float64 would take
        parts.append(("categorical", Pipeline([("impute", SimpleImputer(strategy="constant",
                                                                        fill_value="missing")),
                                               ("one_hot", encoder)]), plan["categorical"]))
    return ColumnTransformer(parts)


def _numeric(frame, name, path, sep, header):
    import pandas as pd

    series = frame[name]
    if series.dtype.kind not in "iufb":
        numbers = pd.to_numeric(series, errors="coerce")
        bad = np.flatnonzero(numbers.isna().to_numpy() & series.notna().to_numpy())
        if bad.size:
            line, text = row_at(path, sep, int(series.index[bad[0]]), header, name, frame.attrs.get("encoding"))
            hint = decimal_comma_hint(text, frame, sep)
            raise UsageError(f"{path}, line {line}, column {name!r}: {text!r} is not a number "
                             f"({hint + '; ' if hint else ''}the model was trained on numbers in that column)")
        series = numbers
    values = series.to_numpy(dtype=float)
    bad = np.flatnonzero(np.isinf(values))
    if bad.size:
        line, text = row_at(path, sep, int(series.index[bad[0]]), header, name, frame.attrs.get("encoding"))
        raise UsageError(f"{path}, line {line}, column {name!r}: {text!r} is not a finite number "
                         "(fill in or drop infinite values first)")
    return values


def _text(series):
    """Categories as text, missing values kept missing (True and False as text too: models trained
    before True/False columns were numeric have them as categories)."""
    return series.astype(object).where(series.notna(), np.nan).map(str, na_action="ignore").astype(object)


def _not_dates(frame, name, parsed, path, sep, header):
    """A line saying how many values of the date column are not dates (first one with its line), or None."""
    bad = (parsed.isna() & frame[name].notna()).to_numpy()
    if not bad.any():
        return None
    count, label = int(bad.sum()), int(frame.index[np.argmax(bad)])
    line, text = row_at(path, sep, label, header, name, frame.attrs.get("encoding"))
    return (f"{count:,} value{'s' * (count > 1)} of {name!r} {'are' if count > 1 else 'is'} not dates, "
            f"e.g. line {line}: {text!r}; treated as missing")


def prepare_features(frame, plan, path, sep, check_scale=False, lean=False, notes=None):
    """The DataFrame the model's pipeline takes: numeric columns as floats, categorical ones as
    text, each date column as its numeric parts.  lean: numbers as float32 where they fit (half
    the memory; the network then trains in float32), each dropped from frame once taken.  notes (a
    list) gets a line for each date column with values that are not dates (treated as missing)."""
    import pandas as pd

    missing = [c for c in [*plan["numeric"], *plan["categorical"], *plan["dates"]] if c not in frame.columns]
    if missing:
        raise UsageError(f"{path} has no column {missing[0]!r}; its columns are: {', '.join(frame.columns)}")
    columns, header = {}, list(frame.columns)
    for name in plan["numeric"]:
        columns[name] = values = _numeric(frame, name, path, sep, header)
        if check_scale:
            with np.errstate(over="ignore", invalid="ignore"):
                spread = np.nanvar(values) if np.isfinite(values).any() else 0.0
            if not np.isfinite(spread):
                line, text = row_at(path, sep, int(frame.index[np.nanargmax(np.abs(values))]), header, name,
                                    frame.attrs.get("encoding"))
                raise UsageError(f"{path}, line {line}, column {name!r}: {text} is too large to standardize; "
                                 "rescale that column first")
        if lean:
            with np.errstate(invalid="ignore"):
                small = not np.any(np.abs(values) > 1e37)
            columns[name] = values.astype(np.float32) if small else values
            del frame[name]
    for name in plan["categorical"]:
        columns[name] = _text(frame[name])
    for name in plan["dates"]:
        parsed = to_datetime(frame[name], (plan.get("date_order") or {}).get(name))
        if notes is not None and (note := _not_dates(frame, name, parsed, path, sep, header)):
            notes.append(note)
        parts = date_parts(parsed, np.float32 if lean else float)
        columns.update(zip(date_columns(name), (parts[part] for part in DATE_PARTS)))
    return pd.DataFrame(columns, index=frame.index, copy=False)


def describe(plan, X):
    """One line per feature: how it is treated."""
    lines = []
    booleans = plan.get("booleans", ())
    for name in plan["numeric"]:
        missing = int(X[name].isna().sum())
        lines.append(f"  {name}: " + ("True/False, as 1/0 (numeric), " if name in booleans else "numeric, ")
                     + (f"{missing} missing (median, with a missing indicator), " if missing else "") + "scaled")
    for name in plan["dates"]:
        missing = int(X[date_columns(name)[0]].isna().sum())
        lines.append(f"  {name}: date, as {', '.join(date_columns(name))} (numeric, scaled)"
                     + (f", {missing} missing (each part the median, with a missing indicator)" if missing else ""))
    minimum = min_frequency(len(X))
    for name in plan["categorical"]:
        counts = X[name].value_counts()
        missing = int(X[name].isna().sum())
        rare = int((counts < minimum).sum())
        lines.append(f"  {name}: categorical, {len(counts)} categories one-hot"
                     + (f" ({rare} seen fewer than {minimum} times grouped as 'infrequent')" if rare else "")
                     + (f", {missing} missing (a category of their own)" if missing else ""))
    return lines
