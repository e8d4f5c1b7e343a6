"""OneHotEncoder and OrdinalEncoder in a model file: their settings (explicit ``categories`` and
OneHotEncoder's ``drop`` as value lists) and public fitted values (``categories_``;
``infrequent_categories_`` as their positions in ``categories_``; ``drop_idx_``), rebuilt on load
by fitting a fresh encoder on synthetic rows in which every stored category occurs (with a
``min_frequency`` chosen for the refit, and no ``max_categories``, so that one number of rows gives
each column counts that mark exactly its stored infrequent categories: the infrequent ones once, or
under that threshold in a column whose categories are all infrequent, the others at least that often;
the stored settings are set back after the fit), then checked to have exactly the stored categories,
infrequent categories and dropped categories.

The synthetic rows are bounded: at most ``MAX_CELLS`` values, so a file cannot make ``load``
allocate beyond a few tens of megabytes whatever its settings say."""

import math
import numbers

import numpy as np
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from .archive import ArchiveError
from .scalers import count, encode_feature_names, feature_names, is_bool
from .tabular_values import checked_settings, decode_values, encode_values, same_values
from .values import fields, mapping

__all__ = ["ENCODERS", "encode_encoder", "decode_encoder", "MAX_CELLS"]

MAX_CELLS = 2_000_000  # values in the synthetic rows an encoder is rebuilt from
MAX_MIN_FREQUENCY = 10_000
MAX_FEATURES = 10_000
_DTYPES = {"float64": np.float64, "float32": np.float32}
_NAN = "nan"  # how a setting that is np.nan (OrdinalEncoder's unknown_value, encoded_missing_value) is stored


def _min_frequency(v):
    if v is None:
        return True
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        return False
    if isinstance(v, numbers.Integral):
        return 1 <= v <= MAX_MIN_FREQUENCY
    return 0.0 < v < 1.0


def _code(none_ok):
    return lambda v: (v is None and none_ok) or v == _NAN or type(v) is int and -(2**31) <= v <= 2**31


_COMMON = {"min_frequency": _min_frequency, "max_categories": lambda v: v is None or type(v) is int and 1 <= v <= 2**31,
           "dtype": lambda v: v in _DTYPES}
# class: (the settings a file may hold and their checks, the settings kept only at their defaults,
# whether the missing values are left out of the infrequent categories)
ENCODERS = {
    "OneHotEncoder": (OneHotEncoder, {"handle_unknown": lambda v: v in ("error", "ignore", "infrequent_if_exist", "warn"),
                                      "sparse_output": is_bool, **_COMMON},
                      ("feature_name_combiner",), False),
    "OrdinalEncoder": (OrdinalEncoder, {"handle_unknown": lambda v: v in ("error", "use_encoded_value"),
                                        "unknown_value": _code(True), "encoded_missing_value": _code(False), **_COMMON},
                       (), True),
}


def _stored(value):
    if isinstance(value, float) and math.isnan(value):
        return _NAN
    return int(value) if isinstance(value, numbers.Integral) and not isinstance(value, bool) else value


def _params(encoder):
    cls, settings, defaults, _ = ENCODERS[type(encoder).__name__]
    params = {k: _stored(getattr(encoder, k)) for k in settings if k != "dtype"}
    params["dtype"] = next((k for k, v in _DTYPES.items() if encoder.dtype is v or encoder.dtype == np.dtype(v)), None)
    for name, value in params.items():
        if not settings[name](value):
            raise TypeError(f"a {cls.__name__} with {name}={getattr(encoder, name)!r}")
    for name in defaults:
        value, default = getattr(encoder, name), cls().get_params()[name]
        if not (value is None and default is None or isinstance(value, str) and value == default):
            raise TypeError(f"a {cls.__name__} with {name}={value!r} (only the default {default!r} is kept)")
    return params


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def _lists(enc, encoder):
    """The settings ``categories`` (when not "auto") and ``drop`` (when set), as value lists."""
    out = {}
    if not (isinstance(encoder.categories, str) and encoder.categories == "auto"):
        if not isinstance(encoder.categories, (list, tuple)) or len(encoder.categories) > MAX_FEATURES:
            raise TypeError(f"a {type(encoder).__name__} with categories={encoder.categories!r}")
        out["categories"] = [encode_values(enc, np.array([_plain(v) for v in c], dtype=object)
                                           if np.asarray(c).dtype == object else np.asarray(c))
                             for c in encoder.categories]
    drop = getattr(encoder, "drop", None)
    if isinstance(drop, str) and drop in ("first", "if_binary"):
        out["drop"] = drop
    elif drop is not None:
        if isinstance(drop, str) or not isinstance(drop, (list, tuple, np.ndarray)) or np.ndim(drop) != 1:
            raise TypeError(f"a OneHotEncoder with drop={drop!r}")
        out["drop"] = {"values": encode_values(enc, np.array([_plain(v) for v in drop] + [None], dtype=object)[:-1])}
    return out


def _drop_places(encoder):
    """``drop_idx_`` as a list: the position in ``categories_`` dropped from each feature, or None."""
    found = getattr(encoder, "drop_idx_", None)
    return None if found is None else [None if v is None else int(v) for v in found.tolist()]


def _decode_lists(dec, entry, encoder, where):
    """The settings :func:`_lists` stores, given to ``encoder``."""
    stored = entry.get("categories")
    if stored is not None:
        if not isinstance(stored, list) or not 1 <= len(stored) <= MAX_FEATURES:
            raise ArchiveError(f"{where}.categories is not a list of at most {MAX_FEATURES} category lists")
        lists = [decode_values(dec, c, f"{where}.categories[{j}]", MAX_CELLS // len(stored)) for j, c in
                 enumerate(stored)]
        if sum(map(len, lists)) > MAX_CELLS:
            raise ArchiveError(f"{where}.categories hold more than {MAX_CELLS} values")
        encoder.set_params(categories=[c.tolist() for c in lists])
    drop = entry.get("drop")
    if drop is not None:
        if type(encoder) is not OneHotEncoder:
            raise ArchiveError(f"{where}.drop is a OneHotEncoder's setting")
        if isinstance(drop, dict):
            drop = decode_values(dec, fields(drop, f"{where}.drop", ["values"])["values"], f"{where}.drop.values",
                                 MAX_FEATURES).tolist()
        elif drop not in ("first", "if_binary"):
            raise ArchiveError(f"{where}.drop is not 'first', 'if_binary' or a list of categories")
        encoder.set_params(drop=drop)


def _places(some, categories):
    """The positions of ``some`` of ``categories`` in them."""
    keys = {_key(v) for v in some.tolist()}
    places = [i for i, v in enumerate(categories.tolist()) if _key(v) in keys]
    if len(places) != len(some):
        raise TypeError("infrequent_categories_ that are not some of categories_")
    return places


def encode_encoder(enc, encoder):
    params = _params(encoder)
    entry = {"transformer": type(encoder).__name__, "params": {k: enc.setting(v) for k, v in params.items()},
             **_lists(enc, encoder)}
    if hasattr(encoder, "categories_"):
        fitted = {"n_features_in_": int(encoder.n_features_in_),
                  "categories_": [encode_values(enc, c) for c in encoder.categories_]}
        if encoder.min_frequency is not None or encoder.max_categories is not None:
            # positions into categories_ (the infrequent categories are some of them, in their order)
            fitted["infrequent_categories_"] = [None if rare is None else _places(rare, c)
                                                for rare, c in zip(encoder.infrequent_categories_, encoder.categories_)]
        encode_feature_names(enc, encoder, fitted)
        if _drop_places(encoder) is not None:
            fitted["drop_idx_"] = _drop_places(encoder)
        entry["fitted"] = fitted
    return entry


def _identify(counts, n, min_frequency, max_categories):
    """The positions of the infrequent categories, as OneHotEncoder finds them."""
    if isinstance(min_frequency, numbers.Integral):
        mask = counts < min_frequency
    elif isinstance(min_frequency, numbers.Real):
        mask = counts < n * min_frequency
    else:
        mask = np.zeros(len(counts), dtype=bool)
    current = len(counts) - mask.sum() + 1
    if max_categories is not None and max_categories < current:
        keep = max_categories - 1
        if keep == 0:
            mask[:] = True
        else:
            mask[np.argsort(counts, kind="mergesort")[:-keep]] = True
    return mask


def _counts(n, infrequent):
    """Counts summing to ``n``: 1 for each infrequent category, the rest spread over the others."""
    counts = np.ones(len(infrequent), dtype=np.int64)
    frequent = np.flatnonzero(~infrequent)
    if len(frequent):
        share, extra = divmod(n - infrequent.sum(), len(frequent))
        counts[frequent] = share
        counts[frequent[:extra]] += 1
    else:
        share, extra = divmod(n, len(counts))
        counts[:] = share
        counts[:extra] += 1
    return counts


def _feature_counts(n, mask, skip):
    """Counts summing to ``n`` for one feature: 1 for each missing-value category left out of the
    infrequent ones (``skip``), the others as :func:`_counts` spreads them."""
    counts = np.ones(len(mask), dtype=np.int64)
    kept = ~skip
    counts[kept] = _counts(n - int(skip.sum()), mask[kept])
    return counts


def _reproduces(n, mask, skip, encoder):
    kept = ~skip
    return n - int(skip.sum()) >= int(kept.sum()) and not mask[skip].any() and np.array_equal(
        _identify(_feature_counts(n, mask, skip)[kept], n, encoder.min_frequency, encoder.max_categories), mask[kept])


def _first(lo, hi, holds):
    """The smallest integer in [lo, hi] for which ``holds`` (false, then true) is true, or None."""
    if lo > hi or not holds(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if holds(mid) else (mid + 1, hi)
    return lo


def _threshold(masks, skips, limit):
    """The smallest min_frequency (2 or more) for which some number of rows, at most ``limit``, has counts
    that mark exactly ``masks``, and that number: (threshold, rows), or None.  A column whose kept categories
    are all infrequent allows at most categories * (threshold - 1) rows; any other column needs at least
    its infrequent categories plus threshold rows for each frequent one.  The lowest number of rows grows
    with the threshold and the room left (highest minus lowest) is concave in it, so both are searched."""
    kept = np.array([int((~s).sum()) for s in skips])
    skipped = np.array([int(s.sum()) for s in skips])
    rare = np.array([int(m.sum()) for m in masks])
    every = (rare == kept) & (kept > 0)
    floor = int((skipped + kept).max())

    def low(f):
        return max(floor, int((skipped + rare + (kept - rare) * f)[~every].max(initial=0)))

    def room(f):
        return int((skipped + kept * (f - 1))[every].min(initial=limit)) - low(f)

    top = _first(2, limit + 1, lambda f: low(f) > limit)
    top = limit + 1 if top is None else top - 1  # the highest threshold whose rows fit
    best = _first(2, top, lambda f: room(f + 1) <= room(f))  # where the room stops growing
    f = _first(2, top if best is None else best, lambda f: room(f) >= 0)
    return None if f is None else (f, low(f))


def _rows(encoder, masks, skips, limit):
    """(min_frequency, rows) for a refit that finds exactly ``masks``, or None."""
    if encoder.min_frequency is None and encoder.max_categories is None:
        return None, max(len(m) for m in masks)
    found = _threshold(masks, skips, limit)
    if found is not None:
        encoder.set_params(min_frequency=found[0], max_categories=None)
        if all(_reproduces(found[1], m, skip, encoder) for m, skip in zip(masks, skips)):
            return found
    return None


def _fit_table(columns, names):
    """The synthetic rows: one array if the columns share a dtype, else a pandas DataFrame."""
    if len({c.dtype for c in columns}) == 1:
        return np.stack(columns, axis=1)
    import pandas as pd  # scikit-learn needs a DataFrame to keep each column's dtype
    # each column a Series of its own dtype: pandas 3 would read an object array of strings as its string
    # dtype, which turns None into nan
    return pd.DataFrame({name: pd.Series(c, dtype=c.dtype, copy=False) for name, c in zip(names, columns)},
                        copy=False)


def _key(v):
    return ("nan",) if isinstance(v, float) and v != v else (type(v).__name__, v)


def _infrequent_mask(positions, n, where):
    """Which of ``n`` categories the stored positions of the infrequent ones (or None) mark."""
    mask = np.zeros(n, dtype=bool)
    if positions is None:
        return mask
    if not (isinstance(positions, list) and all(type(i) is int and 0 <= i < n for i in positions)):
        raise ArchiveError(f"{where} is not a list of positions in categories_ (0 to {n - 1})")
    mask[positions] = True
    if int(mask.sum()) != len(positions):
        raise ArchiveError(f"{where} lists a position in categories_ more than once")
    return mask


def _decode_params(entry, cls, settings, dec, where):
    params = {k: dec.setting(v, f"{where}.params.{k}") for k, v in mapping(entry["params"], f"{where}.params").items()}
    checked_settings(params, settings, cls.__name__, where)
    if "dtype" in params:
        params["dtype"] = _DTYPES[params["dtype"]]
    return {k: np.nan if v == _NAN and k != "dtype" else v for k, v in params.items()}


def decode_encoder(dec, entry, where):
    fields(entry, where, ["transformer", "params"], ["fitted", "categories", "drop"])
    cls, settings, _, skips_missing = ENCODERS[entry["transformer"]]
    encoder = cls(**_decode_params(entry, cls, settings, dec, where))
    _decode_lists(dec, entry, encoder, where)
    if "fitted" not in entry:
        return encoder
    fitted = fields(entry["fitted"], f"{where}.fitted", ["n_features_in_", "categories_"],
                    ["infrequent_categories_", "feature_names_in_", "drop_idx_"])
    n = count(fitted["n_features_in_"], f"{where}.n_features_in_", 1)
    stored = fitted["categories_"]
    if n > MAX_FEATURES or not isinstance(stored, list) or len(stored) != n:
        raise ArchiveError(f"{where}.categories_ is not a list of n_features_in_ category lists")
    categories = [decode_values(dec, c, f"{where}.categories_[{j}]", MAX_CELLS // n) for j, c in enumerate(stored)]
    enabled = encoder.min_frequency is not None or encoder.max_categories is not None
    rare = fitted.get("infrequent_categories_")
    if (rare is not None) != enabled or rare is not None and not (isinstance(rare, list) and len(rare) == n):
        raise ArchiveError(f"{where}.infrequent_categories_ must be a list of n_features_in_ entries exactly "
                           "when min_frequency or max_categories is set")
    masks, skips = [], []
    for j, (c, r) in enumerate(zip(categories, rare or [None] * n)):
        if len(c) == 0:
            raise ArchiveError(f"{where}.categories_[{j}] is empty")
        masks.append(_infrequent_mask(r, len(c), f"{where}.infrequent_categories_[{j}]"))
        # OrdinalEncoder leaves nan (not None: scikit-learn counts it as a category) out of the infrequent ones
        skips.append(np.array([skips_missing and _key(v) == ("nan",) for v in c.tolist()], dtype=bool))
    # The infrequent categories are refit with the smallest integer min_frequency (and no max_categories)
    # for which one number of rows gives every column counts that mark exactly its stored infrequent
    # categories: the rows then grow with the categories the file stores, not with a min_frequency it
    # states. The settings go back after the fit.
    stored_settings = {"min_frequency": encoder.min_frequency, "max_categories": encoder.max_categories}
    refit = _rows(encoder, masks, skips, MAX_CELLS // n)
    if refit is None:
        raise ArchiveError(f"{where}: no data of at most {MAX_CELLS} values gives these infrequent categories")
    rows = refit[1]
    columns = [np.repeat(c, _feature_counts(rows, m, s)) for c, m, s in zip(categories, masks, skips)]
    try:
        encoder.fit(_fit_table(columns, [f"x{j}" for j in range(n)]))
        encoder.set_params(**stored_settings)
    except (ValueError, TypeError) as exc:
        raise ArchiveError(f"{where}: its settings and categories do not make a {cls.__name__} ({exc})") from None
    found = encoder.infrequent_categories_ if enabled else [None] * n
    rare = [None if r is None else c[m] for c, r, m in zip(categories, rare or [None] * n, masks)]
    if not all(same_values(a, b) for a, b in zip(encoder.categories_, categories)) or not all(
            (a is None and b is None) or (a is not None and b is not None and same_values(a, b))
            for a, b in zip(found, rare)):
        raise ArchiveError(f"{where}: categories_ and infrequent_categories_ are not what a {cls.__name__} with "
                           "these settings finds (categories must be sorted and unique)")
    if _drop_places(encoder) != fitted.get("drop_idx_"):
        raise ArchiveError(f"{where}.drop_idx_ is not what a {cls.__name__} with these settings finds")
    if hasattr(encoder, "feature_names_in_"):
        del encoder.feature_names_in_
    feature_names(dec, encoder, fitted, where, n)
    return encoder
