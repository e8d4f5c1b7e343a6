"""How fast and lean ``skneural train`` reads a large CSV file.
============================================================

Writes a file of ROWS rows and 30 columns (an ID, 19 decimal columns with a few missing values,
3 integer columns, 4 text columns, a boolean column and a date; a binary target), then runs
``skneural train FILE --target y --max-iter 2`` in a child process and prints its wall time, its
peak resident memory, and that peak as a multiple of the file's size and above a child that only
imports pandas and skneural (the baseline).

Run it::

    python examples/csv_benchmark.py            # 200,000 rows (about 80 MiB)
    python examples/csv_benchmark.py --rows 20000

Needs a POSIX system (the peak memory is read with ``resource.getrusage``).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def write_csv(path, rows, seed=0):
    import pandas as pd

    rng = np.random.default_rng(seed)
    columns = {"id": np.arange(rows)}
    for j in range(19):
        values = rng.normal(loc=j, scale=1 + j, size=rows)
        values[rng.random(rows) < 0.02] = np.nan
        columns[f"x{j}"] = values
    for j in range(3):
        columns[f"n{j}"] = rng.integers(0, 100, size=rows)
    for j, levels in enumerate((3, 12, 50, 400)):
        columns[f"c{j}"] = np.array([f"level_{k}" for k in range(levels)], dtype=object)[rng.integers(0, levels, rows)]
    columns["flag"] = rng.random(rows) < 0.3
    columns["day"] = (pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, rows), unit="D")).strftime(
        "%Y-%m-%d")
    score = columns["x0"] - 2 * np.nan_to_num(columns["x1"]) / 3 + (columns["c0"] == "level_1")
    columns["y"] = (score > np.nanmedian(score)).astype(int)
    pd.DataFrame(columns).to_csv(path, index=False, float_format="%.17g")


def _peak_of(command, env):
    """(wall seconds, peak resident bytes) of a child process running command."""
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed")
    return seconds, usage.ru_maxrss * 1024


def main(rows=200_000):
    """Print the figures; return them as a dict."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "2")}
    with tempfile.TemporaryDirectory() as folder:
        data = os.path.join(folder, "big.csv")
        write_csv(data, rows)
        size = os.path.getsize(data)
        base_seconds, baseline = _peak_of([sys.executable, "-c", "import pandas, skneural, skneural.cli"], env)
        train = [sys.executable, "-m", "skneural", "train", data, "--target", "y", "--max-iter", "2",
                 "--out", os.path.join(folder, "model.skn")]
        seconds, peak = _peak_of(train, env)
        print(f"file: {rows:,} rows x 30 columns, {size / 2**20:.1f} MiB")
        print(f"skneural train --max-iter 2: {seconds:.1f} s wall (imports alone: {base_seconds:.1f} s)")
        print(f"peak memory: {peak / 2**20:.0f} MiB; imports alone {baseline / 2**20:.0f} MiB")
        print(f"peak / file size: {peak / size:.2f}; (peak - imports) / file size: {(peak - baseline) / size:.2f}")
    return {"seconds": seconds, "file_bytes": size, "peak_bytes": peak, "baseline_bytes": baseline}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    main(parser.parse_args().rows)
