"""Date columns of ``skneural train``: how a text column's values read as dates, and their parts.

Two forms are dates: ISO dates (``2020-01-31``, ``2020/01/31``, a time allowed after them) and
day-month-year or month-day-year dates (``31/01/2020``, ``01/31/2020``; ``/``, ``-`` or ``.``
between the fields).  The second form's order is taken from the values: a first field above 12
means day first, a second field above 12 month first; when no value tells, the column is left
out (``03/01/2020`` is 3 January or 1 March).  The order is recorded in the model file's metadata
(``date_order``) so that ``predict`` and ``evaluate`` read the dates the same way.
"""

import re

DATE_PARTS = ("year", "month", "day", "dayofweek")  # the features <column>_<part>
_ATTRIBUTES = {"dayofweek": "day_of_week"}  # pandas 3 deprecates Series.dt.dayofweek
DAY_FIRST, MONTH_FIRST = "day first", "month first"
_ISO = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DAY_MONTH = re.compile(rf"^(\d{{1,2}})([/.-])(\d{{1,2}})\2(\d{{4}})({_TIME})$")
_SAMPLE = 200


def date_columns(name):
    return [f"{name}_{part}" for part in DATE_PARTS]


def date_form(series):
    """'iso' or 'day-month' if the first sampled values of the text column all read as dates of
    that form; else None."""
    values = series.dropna()
    if series.dtype.kind != "O" or values.empty:
        return None
    sample = values.iloc[:_SAMPLE].astype(str).str.strip()
    for form, pattern in (("iso", _ISO), ("day-month", _DAY_MONTH)):
        if sample.map(lambda v, p=pattern: bool(p.match(v))).all():
            return form
    return None


def _fields(series):
    return series.astype(str).str.strip().str.extract(_DAY_MONTH)


def date_order(series):
    """(order or None, an example value): DAY_FIRST or MONTH_FIRST where some value tells which;
    None with the example when none does, or with two examples when values say both."""
    fields = _fields(series.dropna())
    first, second = fields[0].astype(float), fields[2].astype(float)
    text = series.dropna().astype(str).str.strip()
    day_first, month_first = text[(first > 12).to_numpy()], text[(second > 12).to_numpy()]
    if len(day_first) and len(month_first):
        return None, f"{day_first.iloc[0]!r} (day first) and {month_first.iloc[0]!r} (month first)"
    if len(day_first) or len(month_first):
        return (DAY_FIRST, repr(day_first.iloc[0])) if len(day_first) else (MONTH_FIRST, repr(month_first.iloc[0]))
    return None, repr(text.iloc[0])


def to_datetime(series, order=None):
    """The values as UTC datetimes (NaT where one does not read as a date); order: DAY_FIRST or
    MONTH_FIRST for day-month dates, None for ISO dates."""
    import pandas as pd

    text = series.astype(str).str.strip()
    if order is not None:
        fields = _fields(series)
        day, month = (fields[0], fields[2]) if order == DAY_FIRST else (fields[2], fields[0])
        text = fields[3] + "-" + month.str.zfill(2) + "-" + day.str.zfill(2) + fields[4].fillna("")
    options = {"format": "ISO8601"} if int(pd.__version__.split(".")[0]) >= 2 else {}
    return pd.to_datetime(text.str.replace("/", "-"), errors="coerce", utc=True, **options)


def date_parts(parsed, dtype=float):
    """{<part>: array} of the parsed dates (NaN where missing)."""
    import numpy as np

    dtype = np.dtype(dtype)
    return {part: getattr(parsed.dt, _ATTRIBUTES.get(part, part)).to_numpy(dtype=dtype, na_value=np.nan)
            for part in DATE_PARTS}
