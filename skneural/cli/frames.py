"""Reading CSV files with pandas for ``skneural train``, ``evaluate`` and ``predict``.

pandas' reader does the parsing (quoted fields, missing-value markers such as
empty cells, ``NA``, ``N/A``, ``null``, ``NaN``); this module adds what the
command needs around it: the separator detected from the first lines, one-line
messages for files that cannot be read, and the line number and text of a row
for messages that name a value.
"""

import collections
import csv
import itertools
import warnings

from .errors import UsageError

SEPARATORS = (",", ";", "\t", "|")
_SAMPLE_LINES = 50


def _open(path):
    return open(path, newline="", encoding="utf-8-sig")  # -sig: drop the BOM of Excel's "CSV UTF-8"


def _sample(path):
    try:
        with _open(path) as f:
            return [line for line in itertools.islice(f, _SAMPLE_LINES) if line.strip()]
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not a CSV file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read it as CSV ({exc})") from None


def check_readable(path):
    """An error in one line if the file cannot be opened and read as text."""
    _sample(path)


def detect_separator(path, lines=None):
    """The separator among , ; tab | that splits the first lines into the most columns, the same
    number on every line (quotes respected); ',' when none does."""
    lines = _sample(path) if lines is None else lines
    best, best_width = ",", 1
    for sep in SEPARATORS:
        try:
            widths = {len(row) for row in csv.reader(lines[:-1] or lines, delimiter=sep) if row}
        except csv.Error:
            continue
        if len(widths) == 1 and (width := widths.pop()) > best_width:
            best, best_width = sep, width
    return best


_CHUNK_ROWS = 10_000


def _lean(chunk, keep):
    """The chunk with its float columns as float32 where their values fit (but those in keep)."""
    import numpy as np

    for name in chunk.columns:
        if chunk[name].dtype == np.float64 and name not in keep:
            values = chunk[name].to_numpy()
            with np.errstate(invalid="ignore"):
                if not np.any(np.abs(values) > 1e37):
                    chunk[name] = values.astype(np.float32)
    return chunk


def read_frame(path, sep=None, lean=False, keep=()):
    """The CSV file at path as a pandas DataFrame, and the separator used (detected when sep is None).

    Column names are stripped of surrounding spaces and must be distinct; blank lines are
    skipped; empty cells and the usual markers (NA, N/A, null, NaN, ...) are missing values.
    lean: read in chunks of rows, with decimal columns (but those in keep) as float32 where their
    values fit, so that the table takes about half the memory.
    """
    import pandas as pd

    lines = _sample(path)
    if not lines:
        raise UsageError(f"{path}: expected a header row and at least one data row")
    sep = detect_separator(path, lines) if sep is None else sep
    header = [name.strip() for name in next(csv.reader(lines[:1], delimiter=sep))]
    repeated = [name for name, count in collections.Counter(header).items() if count > 1]
    if repeated:
        raise UsageError(f"{path}: column names must be unique, but the header repeats "
                         f"{', '.join(map(repr, repeated))}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DtypeWarning: mixed columns are made text below
            options = dict(sep=sep, encoding="utf-8-sig", skipinitialspace=True)
            if lean:
                chunks = [_lean(chunk, keep) for chunk in pd.read_csv(path, chunksize=_CHUNK_ROWS, **options)]
                frame = pd.concat(chunks) if len(chunks) > 1 else chunks[0]
                del chunks
            else:
                frame = pd.read_csv(path, **options)
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"{path}: cannot read it as CSV ({reason})") from None
    except pd.errors.EmptyDataError:
        raise UsageError(f"{path}: expected a header row and at least one data row") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if len(frame) == 0:
        raise UsageError(f"{path}: expected a header row and at least one data row")
    if len(frame.columns) == len(header):
        frame.columns = header
    return frame, sep


def raw_rows(path, sep):
    """The data rows of the file as lists of strings, as written, with the line each starts on
    (the header and blank lines skipped, as pandas skips them)."""
    with _open(path) as f:
        reader = csv.reader(f, delimiter=sep)
        line, first = 1, True
        for row in reader:
            blank = not row or (len(row) == 1 and not row[0].strip())
            if not blank:
                if first:
                    first = False
                else:
                    yield line, row
            line = reader.line_num + 1


def row_at(path, sep, index, header=None, column=None):
    """(line number, text of column) of the data row at position index, for messages."""
    for i, (line, row) in enumerate(raw_rows(path, sep)):
        if i == index:
            position = header.index(column) if header is not None and column in header else None
            text = row[position].strip() if position is not None and position < len(row) else ""
            return line, text
    return index + 2, ""
