"""The standard-library CSV reader of skneural 0.1's command (`read_csv`, `numeric_columns`,
`check_scale`), kept importable; the commands now read their files with pandas (`frames`)."""

import collections
import csv

import numpy as np

from .errors import UsageError

Table = collections.namedtuple("Table", "path header rows lines")
Table.__doc__ = "A CSV file: its path, header, rows (lists of stripped strings) and each row's line number."


def read_csv(path):
    """The header and the rows of a CSV file, as a `Table`; blank lines are skipped."""
    rows, lines = [], []
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:  # -sig: drop the BOM of Excel's "CSV UTF-8"
            reader = csv.reader(f)
            line = 1  # where the next row starts
            for row in reader:
                if row:
                    rows.append([cell.strip() for cell in row])
                    lines.append(line)
                line = reader.line_num + 1
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"{path}: cannot read it as CSV ({exc})") from None
    if len(rows) < 2:
        raise UsageError(f"{path}: expected a header row and at least one data row")
    header = rows[0]
    repeated = [name for name, count in collections.Counter(header).items() if count > 1]
    if repeated:
        raise UsageError(f"{path}: column names must be unique, but the header repeats "
                         f"{', '.join(map(repr, repeated))}")
    for row, line in zip(rows[1:], lines[1:]):
        if len(row) != len(header):
            raise UsageError(f"{path}, line {line}: {len(row)} values, but the header has {len(header)} columns")
    return Table(path, header, rows[1:], lines[1:])


def _column(table, name):
    if name not in table.header:
        raise UsageError(f"{table.path} has no column {name!r}; its columns are: {', '.join(table.header)}")
    return table.header.index(name)


def numeric_columns(table, columns, hint="features must be numeric; drop or encode that column first"):
    """The given columns as a float array, or an error naming the first value that is not a finite number."""
    X = np.empty((len(table.rows), len(columns)))
    for i, row in enumerate(table.rows):
        for j, c in enumerate(columns):
            try:
                X[i, j] = value = float(row[c])
            except ValueError:
                value = None
            if value is None or not np.isfinite(value):  # "nan" and "inf" are floats, but not usable ones
                problem = (f"is not a number ({hint})" if value is None else
                           "is not a finite number (fill in or drop missing and infinite values first)")
                raise UsageError(f"{table.path}, line {table.lines[i]}, column {table.header[c]!r}: "
                                 f"{row[c]!r} {problem}")
    return X


def check_scale(table, X, columns):
    """An error if a column holds numbers so large that standardizing it overflows."""
    with np.errstate(over="ignore", invalid="ignore"):
        spread = np.var(X, axis=0)
    bad = np.flatnonzero(~np.isfinite(spread))
    if bad.size:
        i, c = np.argmax(np.abs(X[:, bad[0]])), columns[bad[0]]  # the largest value of the first such column
        raise UsageError(f"{table.path}, line {table.lines[i]}, column {table.header[c]!r}: "
                         f"{table.rows[i][c]} is too large to standardize; rescale that column first")
