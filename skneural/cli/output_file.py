"""Checks on the ``--out`` file of ``skneural train`` and ``skneural predict``, made before any work."""

import os
import tempfile

from .errors import UsageError


def _same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _check_out(path, inputs=()):
    """Fail before any work if path is empty, one of the inputs, a folder or another non-regular
    file, or in a folder that does not exist or where no file can be created."""
    if not path:
        raise UsageError("--out needs a file name")
    for name in inputs:
        if _same_file(path, name):
            raise UsageError(f"--out {path} is the input {name}; it would be overwritten: give another file name")
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"--out {path} is a folder; give a file name")
    if os.path.exists(path) and not os.path.isfile(path):
        raise UsageError(f"--out {path} is not a regular file; give a file name")
    if not os.path.isdir(folder):
        problem = "is not a folder" if os.path.exists(folder) else "does not exist"
        raise UsageError(f"--out {path}: the folder {folder} {problem}")
    try:  # the one sure test that a file can be written there (permissions, read-only disks, root)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise UsageError(f"--out {path}: cannot write in the folder {folder} ({exc.strerror or exc})") from None
