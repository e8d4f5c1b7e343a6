"""Reading CSV files with pandas for ``skneural train``, ``evaluate`` and ``predict``.

pandas' reader does the parsing (quoted fields, missing-value markers such as
empty cells, ``NA``, ``N/A``, ``null``, ``NaN``); this module adds what the
command needs around it: the separator detected from the first lines, one-line
messages for files that cannot be read, and the line number and text of a row
for messages that name a value.  The text encoding is UTF-8 (a byte order mark dropped) unless
``--encoding`` names another; a file that is not valid UTF-8 is read as Windows-1252 (or, where
that cannot decode it, Latin-1), with a note.  Numbers with a decimal comma (``1,5``) are read as
numbers when ``--decimal ,`` is given, or detected in the first lines of a file whose separator
is not a comma.  ``?`` marks a missing value too, as do the texts given with ``--na-values``.
"""

import codecs
import collections
import csv
import itertools
import re
import warnings

from .errors import UsageError

SEPARATORS = (",", ";", "\t", "|")
_SAMPLE_LINES = 50


UTF8 = "utf-8-sig"  # -sig: drop the BOM of Excel's "CSV UTF-8"
_FALLBACKS = (("cp1252", "Windows-1252"), ("latin-1", "Latin-1"))  # Latin-1 decodes any bytes


def _open(path, encoding=None):
    return open(path, newline="", encoding=encoding or UTF8)


def check_encoding(name):
    """The codec to read text named name with (UTF-8 dropping a BOM), or an error in one line."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise UsageError(f"--encoding {name!r} is not an encoding Python knows; "
                         "use a name such as utf-8, cp1252 or latin-1") from None
    return UTF8 if codec == "utf-8" else name


def _decodes(path, encoding):
    """Whether the whole file decodes as encoding (read in blocks: a large file is not held whole)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _not_text(path, exc):
    return UsageError(f"{path} is not {exc.encoding} text (byte 0x{exc.object[exc.start:exc.start + 1].hex()} "
                      "cannot be decoded); choose the file's encoding with --encoding")


def _file_errors(path, action):
    try:
        return action()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not a CSV file") from None
    except UnicodeDecodeError as exc:
        raise _not_text(path, exc) from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it as CSV ({exc})") from None


def resolve_encoding(path, encoding=None, notes=None):
    """The encoding to read the file with: encoding if given, else UTF-8 if the file is valid
    UTF-8, else Windows-1252 or Latin-1, with a line in notes saying so."""
    if encoding is not None:
        return check_encoding(encoding)
    if _file_errors(path, lambda: _decodes(path, UTF8)):
        return UTF8
    encoding, label = next((name, label) for name, label in _FALLBACKS if _decodes(path, name))
    if notes is not None:
        notes.append(f"Read {path} as {label} text: it is not valid UTF-8 (use --encoding to choose)")
    return encoding


def _sample(path, encoding=None):
    def lines():
        with _open(path, encoding) as f:
            return [line for line in itertools.islice(f, _SAMPLE_LINES) if line.strip()]

    return _file_errors(path, lines)


def check_readable(path, encoding=None):
    """An error in one line if the file cannot be opened and read as text (in encoding, if given)."""
    _sample(path, resolve_encoding(path, encoding))


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


_COMMA_NUMBER = re.compile(r"[-+]?(\d{1,3}(\.\d{3})+|\d+),\d+")  # 1,5 -0,25 1.234,5
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(\.\d{3})+,\d+")
_POINT_NUMBER = re.compile(r"[-+]?\d*\.\d+([eE][-+]?\d+)?")  # 1.5 .5 -2.5e3
_WHOLE_NUMBER = re.compile(r"[-+]?\d+")
_MISSING = {"", "na", "n/a", "nan", "null", "none", "#n/a", "-nan", "?"}
# Missing-value markers beyond pandas' own (empty, NA, N/A, null, NaN, ...): '?' (as in the UCI
# repository's files), and any given with --na-values.
NA_VALUES = ("?",)


def looks_like_decimal_comma(text):
    return bool(_COMMA_NUMBER.fullmatch(str(text).strip()))


def detect_decimal(lines, sep):
    """(decimal, thousands, an example) from the sampled lines: ',' when the separator is not a
    comma, some column's values (missing markers aside) are all numbers, at least one with a
    decimal comma, and no value in the lines is a number with a decimal point; '.' otherwise.
    thousands is '.' when a value such as 1.234,5 uses it (else None)."""
    if sep == ",":
        return ".", None, None
    rows = _fields(lines, sep)
    fields = [field for row in rows for field in row]
    if any(_POINT_NUMBER.fullmatch(field) for field in fields):
        return ".", None, None
    for column in itertools.zip_longest(*rows, fillvalue=""):
        values = [v for v in column if v.lower() not in _MISSING]
        commas = [v for v in values if _COMMA_NUMBER.fullmatch(v)]
        if commas and all(_COMMA_NUMBER.fullmatch(v) or _WHOLE_NUMBER.fullmatch(v) for v in values):
            return ",", _thousands(",", fields), commas[0]
    return ".", None, None


def _fields(lines, sep):
    """The stripped fields of the data rows among lines ([] if the lines end inside a quoted field)."""
    try:
        return [[field.strip() for field in row] for row in csv.reader(lines[1:], delimiter=sep)]
    except csv.Error:
        return []


def _thousands(decimal, fields):
    return "." if decimal == "," and any(_THOUSANDS.fullmatch(field) for field in fields) else None


def read_frame(path, sep=None, lean=False, keep=(), encoding=None, decimal=None, notes=None, na_values=None,
               text=()):
    """The CSV file at path as a pandas DataFrame, and the separator used (detected when sep is None).

    Column names are stripped of surrounding spaces and must be distinct; blank lines are
    skipped; empty cells, the usual markers (NA, N/A, null, NaN, ...), '?' and na_values (a list
    of texts, from --na-values) are missing values.
    text: columns read as text as written ("2" stays "2", not the number 2.0): a model's categorical
    columns.  A column read as text that mixes numbers and texts (pandas parses large files in
    parts, each part's column numbers or text) is read again as text, so that "1" is "1" throughout.
    lean: read in chunks of rows, with decimal columns (but those in keep) as float32 where their
    values fit, so that the table takes about half the memory.
    encoding (detected when None: `resolve_encoding`) and decimal ('.' or ',', detected when
    None: `detect_decimal`) are recorded in the frame's ``attrs``; notes, a list, gets a line for
    each of them that was detected as other than UTF-8 and '.'.
    """
    import pandas as pd

    notes = [] if notes is None else notes
    encoding = resolve_encoding(path, encoding, notes)
    lines = _sample(path, encoding)
    if not lines:
        raise UsageError(f"{path}: expected a header row and at least one data row")
    sep = detect_separator(path, lines) if sep is None else sep
    if decimal is None:
        decimal, thousands, example = detect_decimal(lines, sep)
        if decimal == ",":
            value = example.replace(".", "").replace(",", ".")
            notes.append(f"Read numbers with a decimal comma ({example!r} as {value}); "
                         "use --decimal . to keep such values as text")
    elif decimal == sep:
        raise UsageError(f"--decimal {decimal} needs another separator than {sep!r}; name it with --sep")
    else:
        thousands = _thousands(decimal, [field for row in _fields(lines, sep) for field in row])
    header = [name.strip() for name in next(csv.reader(lines[:1], delimiter=sep))]
    repeated = [name for name, count in collections.Counter(header).items() if count > 1]
    if repeated:
        raise UsageError(f"{path}: column names must be unique, but the header repeats "
                         f"{', '.join(map(repr, repeated))}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DtypeWarning: mixed columns are made text below
            options = dict(sep=sep, encoding=encoding, skipinitialspace=True, decimal=decimal, thousands=thousands,
                           na_values=[*NA_VALUES, *(na_values or ())])
            text = [name for name in dict.fromkeys(text) if name in header]
            if text:  # by position: pandas matches dtype names before stripping them
                options["dtype"] = {raw: str for raw, name in zip(_raw_header(lines, sep), header) if name in text}
            if lean:
                chunks = [_lean(chunk, keep) for chunk in pd.read_csv(path, chunksize=_CHUNK_ROWS, **options)]
                frame = pd.concat(chunks) if len(chunks) > 1 else chunks[0]
                del chunks
            else:
                frame = pd.read_csv(path, **options)
    except UnicodeDecodeError as exc:
        raise _not_text(path, exc) from None
    except (pd.errors.ParserError, ValueError) as exc:
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
        _mixed_as_text(frame, path, options)
    frame.attrs.update(encoding=encoding, decimal=decimal)
    return frame, sep


def _raw_header(lines, sep):
    """The header's names as pandas reads them (skipinitialspace: leading spaces dropped)."""
    return [name.lstrip(" ") for name in next(csv.reader(lines[:1], delimiter=sep))]


def _mixed_as_text(frame, path, options):
    """Read again, as text, the columns that pandas read as a mix of numbers and texts."""
    import pandas as pd

    mixed = [position for position, name in enumerate(frame.columns) if frame[name].dtype.kind == "O"
             and pd.api.types.infer_dtype(frame[name], skipna=True) not in ("string", "boolean", "empty")]
    if not mixed:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = pd.read_csv(path, usecols=mixed, dtype=str, **{k: v for k, v in options.items() if k != "dtype"})
    for position, name in zip(mixed, again.columns):
        frame[frame.columns[position]] = again[name].to_numpy(dtype=object)


def raw_rows(path, sep, encoding=None):
    """The data rows of the file as lists of strings, as written, with the line each starts on
    (the header and blank lines skipped, as pandas skips them); encoding None is UTF-8."""
    with _open(path, encoding) as f:
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


def row_at(path, sep, index, header=None, column=None, encoding=None):
    """(line number, text of column) of the data row at position index, for messages."""
    for i, (line, row) in enumerate(raw_rows(path, sep, encoding)):
        if i == index:
            position = header.index(column) if header is not None and column in header else None
            text = row[position].strip() if position is not None and position < len(row) else ""
            return line, text
    return index + 2, ""
