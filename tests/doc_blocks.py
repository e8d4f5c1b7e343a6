"""The code blocks of the README and of the documentation pages, run as a reader would run them."""

import re
import subprocess
import sys

import pytest


def python_blocks(text):
    """The ```python blocks of a Markdown text."""
    return re.findall(r"```python\n(.*?)```", text, re.S)


def run_block(block, folder, what):
    """Run ``block`` as a script of its own in ``folder`` (for the files it writes); a block that uses Dask
    is skipped without the dask extra.  ``what`` names the block in the failure."""
    if re.search(r"^from (dask|distributed)\b|^import (dask|distributed)\b", block, re.M):
        pytest.importorskip("distributed", reason='the dask extra is not installed: pip install -e ".[dask]"')
    script = folder / "block.py"
    script.write_text(block)
    result = subprocess.run([sys.executable, str(script)], cwd=folder, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{what} failed:\n{result.stderr}"
