"""The container of a model file: a zip archive of uncompressed ``.npy`` members
(what ``np.savez`` writes), one of them the JSON description.

Reading trusts nothing in the file.  The zip directory is sized from its end
record before zipfile parses it; every member must be stored uncompressed,
lie inside the file and be named as ``save`` names them, so no member can
make a reader allocate more than the file's own size; and each array's
``.npy`` header (dtype, shape) is read and checked against what the caller
expects before a byte of its data is.  Writing is atomic: a temporary file
beside the target, renamed over it.
"""

import contextlib
import errno
import glob
import json
import math
import os
import re
import stat
import struct
import tempfile
import zipfile

import numpy as np

try:
    import fcntl
except ImportError:  # Windows: stale temporary files are left alone
    fcntl = None

__all__ = ["Archive", "ArchiveError", "write", "DESCRIPTION", "MAX_MEMBERS", "MAX_DESCRIPTION_CHARS"]

DESCRIPTION = "__skneural__"
MAX_MEMBERS = 1024  # a model needs a few arrays per layer stack and scaler, far fewer than this
MAX_DESCRIPTION_CHARS = 4 * 2**20  # characters of the JSON text as stored: ASCII, \uXXXX escapes for the rest
_MAX_NPY_HEADER = 10_000
_MEMBER = re.compile(r"(__skneural__|a[0-9]{1,6})\.npy")
_END = struct.Struct("<4s4H2LH")  # the end of central directory record
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_END = struct.Struct("<4sQ2H2L4Q")
# a directory entry is 46 bytes plus its name and extra field (zip64 sizes: 28 bytes)
_MAX_DIRECTORY_BYTES = MAX_MEMBERS * (46 + 32 + 64)


class ArchiveError(ValueError):
    """What is wrong with a file, without its path (the caller adds it)."""


def _open_regular(path):
    # O_NONBLOCK: opening a FIFO for reading must not wait for a writer
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise ArchiveError(f"it is {kind}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise


def _directory_size(f, size):
    """(members, bytes) of the zip directory, as zipfile will read them, from the end records."""
    if size < _END.size:
        raise ArchiveError("it is too short to be a model file")
    f.seek(size - _END.size)
    signature, _, _, _, members, directory, _, comment = _END.unpack(f.read(_END.size))
    if signature != b"PK\x05\x06" or comment:  # save writes no archive comment
        raise ArchiveError("it is not a NumPy .npz archive")
    locator = size - _END.size - _ZIP64_LOCATOR.size
    if locator >= _ZIP64_END.size:
        f.seek(locator)
        if f.read(4) == b"PK\x06\x07":  # zipfile then reads the zip64 end record just before it
            f.seek(locator - _ZIP64_END.size)
            record = _ZIP64_END.unpack(f.read(_ZIP64_END.size))
            if record[0] != b"PK\x06\x06":
                raise ArchiveError("its zip64 end record is damaged")
            members, directory = record[7], record[8]
    return members, directory


class Archive:
    """An open model file.  ``description()`` is its JSON document; ``array(key, check)``
    reads one array after ``check(shape, dtype)`` has accepted its header."""

    def __init__(self, path):
        self.file, self.size = _open_regular(path)
        try:
            self._open_zip()
        except BaseException:
            self.file.close()
            raise

    def _open_zip(self):
        head = self.file.read(6)
        if head == b"\x93NUMPY":
            raise ArchiveError("it holds a single array, not a model")
        if head[:1] == b"\x80":  # the first byte of every pickle since protocol 2
            raise ArchiveError("it holds pickled data, which skneural never loads")
        members, directory = _directory_size(self.file, self.size)
        if members > MAX_MEMBERS or directory > _MAX_DIRECTORY_BYTES:
            raise ArchiveError(f"its zip directory lists {members} members in {directory} bytes; a model "
                               f"file has at most {MAX_MEMBERS}")
        try:
            self.zip = zipfile.ZipFile(self.file)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error,
                NotImplementedError) as exc:
            raise ArchiveError(f"it is not a NumPy .npz archive ({exc})") from None
        if DESCRIPTION + ".npy" not in self.zip.namelist():
            raise ArchiveError(f"it is a NumPy archive but not a skneural model file (no {DESCRIPTION} entry)")
        self.members = {}
        total = 0
        for info in self.zip.infolist():
            match = _MEMBER.fullmatch(info.filename)
            if match is None or match.group(1) in self.members:
                raise ArchiveError(f"it holds a member {info.filename!r} that save never writes")
            if info.compress_type != zipfile.ZIP_STORED or info.file_size != info.compress_size:
                raise ArchiveError(f"its member {info.filename!r} is compressed; save stores members as they are")
            if info.flag_bits & 0x1:
                raise ArchiveError(f"its member {info.filename!r} is encrypted")
            total += info.file_size
            if info.header_offset + info.file_size > self.size or total > self.size:
                raise ArchiveError(f"its member {info.filename!r} claims more bytes than the file holds")
            self.members[match.group(1)] = info

    def close(self):
        self.zip.close()
        self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @contextlib.contextmanager
    def _member(self, key):
        info = self.members.get(key)
        if info is None:
            raise ArchiveError(f"the array {key!r} it refers to is missing")
        try:
            with self.zip.open(info) as fp:
                yield info, fp
        except (zipfile.BadZipFile, OSError, EOFError, struct.error, NotImplementedError) as exc:
            raise ArchiveError(f"its member {key!r} is damaged ({exc})") from None

    def _header(self, fp, key):
        try:
            version = np.lib.format.read_magic(fp)
            read = {(1, 0): np.lib.format.read_array_header_1_0,
                    (2, 0): np.lib.format.read_array_header_2_0}.get(version)
            if read is None:
                raise ValueError(f"an .npy format version {version} save never writes")
            shape, fortran, dtype = read(fp, max_header_size=_MAX_NPY_HEADER)
        except Exception as exc:  # noqa: BLE001 - whatever numpy's parser of an untrusted header raises
            raise ArchiveError(f"the header of its array {key!r} is damaged ({type(exc).__name__})") from None
        if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None or dtype.itemsize == 0:
            raise ArchiveError(f"its array {key!r} has dtype {dtype}, which no model array has")
        return shape, fortran, dtype

    def array(self, key, check):
        """The array stored under ``key``.  ``check(shape, dtype)`` sees the header first and
        raises to refuse it; the data is read only if the member holds exactly its bytes."""
        with self._member(key) as (info, fp):
            shape, fortran, dtype = self._header(fp, key)
            check(shape, dtype)
            nbytes = math.prod(shape) * dtype.itemsize
            if info.file_size - fp.tell() != nbytes:
                raise ArchiveError(f"its array {key!r} does not hold the {nbytes} bytes its header declares")
            buffer = bytearray(nbytes)
            if fp.readinto(memoryview(buffer)) != nbytes:
                raise ArchiveError(f"its array {key!r} is truncated")
        return np.frombuffer(buffer, dtype=dtype).reshape(shape, order="F" if fortran else "C")

    def description(self):
        """The JSON document, as a dict."""

        def check(shape, dtype):
            if shape != () or dtype.kind != "U" or dtype.itemsize // 4 > MAX_DESCRIPTION_CHARS:
                raise ArchiveError(f"its description is not a text of at most {MAX_DESCRIPTION_CHARS} characters")

        text = str(self.array(DESCRIPTION, check)[()])
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            raise ArchiveError("its description is not valid JSON (or nested too deeply)") from None
        if not isinstance(document, dict):
            raise ArchiveError("its description is not a JSON object")
        return document


# -- writing -----------------------------------------------------------------------------------

_TEMP_SUFFIX = ".skn-partial"


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _naming(path, exc):
    """``exc`` (an OSError about a temporary file) about ``path`` instead."""
    return type(exc)(exc.errno, exc.strerror or str(exc), path)


def _remove_stale(folder, base):
    """Remove temporary files of earlier saves to the same target whose writer is gone
    (a save holds a lock on its temporary file while it writes; a killed one does not)."""
    if fcntl is None:
        return
    for name in glob.glob(os.path.join(glob.escape(folder), glob.escape(f".{base}.") + "*" + _TEMP_SUFFIX)):
        try:
            fd = os.open(name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.unlink(name)
        except OSError:
            pass  # locked: another save is writing it
        finally:
            os.close(fd)


def write(path, description, arrays, check=None):
    """Write ``arrays`` and the JSON ``description`` to ``path``, atomically.

    ``check(temporary_path)``, if given, reads the written file back before it
    replaces the target; whatever it raises leaves the target as it was.  An
    existing target keeps its permission bits; a new one gets those of any new
    file (the umask).  Errors name ``path``, never the temporary file.
    """
    text = json.dumps(description)
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise ValueError(f"The model's description takes {len(text)} characters, over the {MAX_DESCRIPTION_CHARS} "
                         "characters of JSON a model file may hold (a non-ASCII character counts 6: it is stored "
                         "as a \\uXXXX escape; large metadata?): store large data beside the model.")
    if len(arrays) >= MAX_MEMBERS:
        raise ValueError(f"The model has {len(arrays)} arrays, over the {MAX_MEMBERS - 1} a model file may hold.")
    path = os.fspath(path)
    folder, base = os.path.split(os.path.abspath(path))
    try:
        target = os.stat(path)
    except FileNotFoundError:
        target = None
    except OSError as exc:
        raise _naming(path, exc) from None
    if target is not None and not stat.S_ISREG(target.st_mode):
        if stat.S_ISDIR(target.st_mode):
            raise IsADirectoryError(errno.EISDIR, "Is a folder", path)
        raise OSError(errno.EINVAL, "Not a regular file", path)
    mode = stat.S_IMODE(target.st_mode) if target is not None else 0o666 & ~_umask()
    _remove_stale(folder, base)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=_TEMP_SUFFIX, dir=folder)
    except OSError as exc:
        raise _naming(path, exc) from None
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays, **{DESCRIPTION: np.array(text)})
            f.flush()
            os.fsync(f.fileno())
            if check is not None:
                check(tmp)
            os.replace(tmp, path)  # before the lock goes with the file's closing
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename == tmp:
            raise _naming(path, exc) from None
        raise
