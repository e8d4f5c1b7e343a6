"""The README's code runs, and its test command is the one CI runs."""

import re
from pathlib import Path

import pytest
from doc_blocks import python_blocks, run_block

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
BLOCKS = python_blocks(README)


def test_the_readme_has_code_to_check():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_python_block_runs(number, tmp_path):
    """Each block runs as a script of its own, as a reader would paste it, in a folder of its own for the
    files it writes."""
    run_block(BLOCKS[number], tmp_path, f"README.md python block {number}")


def test_ci_runs_the_readme_test_command_exactly():
    commands = re.findall(r"```bash\n(.*?)```", README, re.S)
    test_command = next(c.strip() for c in commands if "pytest" in c)
    assert test_command in (ROOT / ".ci" / "run").read_text().splitlines()
