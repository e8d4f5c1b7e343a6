import runpy
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_engine_example_trains_both_styles():
    main = runpy.run_path(str(EXAMPLES / "engine_digits.py"))["main"]
    seed000, seed001 = main(epochs=5)
    assert seed000 > 0.9 and seed001 > 0.65


def test_demo_command_runs():
    result = subprocess.run([sys.executable, "-m", "skneural"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    accuracy = float(result.stdout.strip().splitlines()[-1].split(":")[1].strip().rstrip("%"))
    assert accuracy > 90
