"""Out-of-core training: partial_fit over chunks of a float32 memmap larger than the memory allowed.
=================================================================================================

The data lives in a file on disk (``np.memmap``): 2 GB by default, 256
float32 features a row, labelled by a fixed random "teacher" network so that
there is something to learn.  Training reads it in chunks of rows and calls
``partial_fit`` on each, so only one chunk is ever in memory; tracemalloc
measures the peak memory the process allocates while training, and the run
stops with an error if it goes over ``--memory-cap-mb`` (default 256 MB, an
eighth of the file).  The last chunk is held out and scored at the end.

Run it::

    python examples/out_of_core.py                      # 2 GB file in a temporary folder
    python examples/out_of_core.py --size-mb 200 --epochs 2
    python examples/out_of_core.py --path data.f32      # keep (and reuse) the file

The same loop trains from anything that yields chunks of rows: files read
piece by piece, a database cursor, or the blocks of a ``dask.array``
(``X.blocks[i].compute()``).
"""

import argparse
import os
import tempfile
import time
import tracemalloc

import numpy as np

from skneural import NumpyMLPClassifier

FEATURES, CLASSES = 256, 10


def teacher_labels(X, seed=0):
    """Labels of a fixed random two-layer network: learnable, not linearly separable."""
    rng = np.random.RandomState(seed)
    w1 = rng.standard_normal((X.shape[1], 64)).astype(np.float32) / np.sqrt(X.shape[1])
    w2 = rng.standard_normal((64, CLASSES)).astype(np.float32)
    return np.argmax(np.tanh(X @ w1) @ w2, axis=1).astype(np.int8)


def make_file(path, rows, chunk_rows, seed=0):
    """Write ``rows`` standard-normal float32 rows to ``path`` and their labels beside it, chunk by chunk."""
    X = np.memmap(path, dtype=np.float32, mode="w+", shape=(rows, FEATURES))
    y = np.memmap(path + ".labels", dtype=np.int8, mode="w+", shape=(rows,))
    rng = np.random.RandomState(seed)
    for start in range(0, rows, chunk_rows):
        stop = min(start + chunk_rows, rows)
        X[start:stop] = rng.standard_normal((stop - start, FEATURES)).astype(np.float32)
        y[start:stop] = teacher_labels(X[start:stop])
    X.flush(), y.flush()
    del X, y


def open_file(path):
    rows = os.path.getsize(path) // (4 * FEATURES)
    return (np.memmap(path, dtype=np.float32, mode="r", shape=(rows, FEATURES)),
            np.memmap(path + ".labels", dtype=np.int8, mode="r", shape=(rows,)))


def main(path=None, size_mb=2048, chunk_rows=50_000, epochs=1, memory_cap_mb=256, hidden=64):
    if path is not None:
        return train(path, size_mb, chunk_rows, epochs, memory_cap_mb, hidden)
    with tempfile.TemporaryDirectory(prefix="skneural-ooc-") as folder:  # removed however training ends
        return train(os.path.join(folder, "data.f32"), size_mb, chunk_rows, epochs, memory_cap_mb, hidden)


def train(path, size_mb, chunk_rows, epochs, memory_cap_mb, hidden):
    rows = int(size_mb * 2**20) // (4 * FEATURES)
    chunk_rows = min(chunk_rows, rows // 2)
    if not os.path.exists(path) or os.path.getsize(path) != rows * 4 * FEATURES:
        start = time.perf_counter()
        make_file(path, rows, chunk_rows)
        print(f"wrote {path}: {rows:,} rows x {FEATURES} float32 = {os.path.getsize(path) / 2**20:,.0f} MB "
              f"in {time.perf_counter() - start:.1f} s")
    X, y = open_file(path)
    held_out = slice(rows - chunk_rows, rows)  # the last chunk is never trained on
    n_train = rows - chunk_rows
    classes = np.arange(CLASSES)
    clf = NumpyMLPClassifier(hidden_layer_sizes=(hidden,), learning_rate_init=0.001, random_state=0)

    tracemalloc.start()
    start = time.perf_counter()
    try:
        for epoch in range(1, epochs + 1):
            for first in range(0, n_train, chunk_rows):
                last = min(first + chunk_rows, n_train)
                clf.partial_fit(X[first:last], y[first:last], classes=classes)
                peak = tracemalloc.get_traced_memory()[1] / 2**20
                if peak > memory_cap_mb:
                    raise MemoryError(f"training allocated {peak:.0f} MB, over the cap of {memory_cap_mb} MB")
                rate = (epoch - 1) * n_train + last
                print(f"\repoch {epoch}/{epochs}  rows {last:,}/{n_train:,}  loss {clf.loss_:.4f}  "
                      f"peak memory {peak:.0f} MB  {rate / (time.perf_counter() - start):,.0f} rows/s",
                      end="", flush=True)
            print()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    accuracy = clf.score(X[held_out], y[held_out])
    file_mb = os.path.getsize(path) / 2**20
    print(f"held-out accuracy on {held_out.stop - held_out.start:,} unseen rows: {accuracy:.3f}; "
          f"peak memory allocated while training {peak:.0f} MB for a {file_mb:,.0f} MB file "
          f"({peak / file_mb:.1%} of it)")
    return {"accuracy": accuracy, "peak_mb": peak, "file_mb": file_mb, "rows": rows, "model": clf}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--path", help="the data file (made if missing; default: a temporary file, removed after)")
    parser.add_argument("--size-mb", type=float, default=2048, help="size of the data file (default 2048)")
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--memory-cap-mb", type=float, default=256)
    parser.add_argument("--quick", action="store_true", help="a 64 MB file in chunks of 8,192 rows")
    args = parser.parse_args()
    if args.quick:
        args.size_mb, args.chunk_rows = 64, 8192
    main(args.path, args.size_mb, args.chunk_rows, args.epochs, args.memory_cap_mb)
