"""The README's code runs, and its test command is the one CI runs."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)


def test_the_readme_has_code_to_check():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_python_block_runs(number, tmp_path):
    """Each block runs as a script of its own, as a reader would paste it (the Dask block starts its
    cluster under ``if __name__ == "__main__"``), in a folder of its own for the files it writes."""
    block = BLOCKS[number]
    if re.search(r"^from (dask|distributed)\b|^import (dask|distributed)\b", block, re.M):
        pytest.importorskip("distributed", reason='the dask extra is not installed: pip install -e ".[dask]"')
    script = tmp_path / f"readme_block_{number}.py"
    script.write_text(block)
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, f"README.md python block {number} failed:\n{result.stderr}"


def test_ci_runs_the_readme_test_command_exactly():
    commands = re.findall(r"```bash\n(.*?)```", README, re.S)
    test_command = next(c.strip() for c in commands if "pytest" in c)
    assert test_command in (ROOT / ".ci" / "run").read_text().splitlines()
