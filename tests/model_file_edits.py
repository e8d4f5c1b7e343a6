"""Reading and writing a model file's parts by hand, for tests that alter them."""

import json

import numpy as np


def read_model_file(path):
    """The JSON description and the arrays of the model file at ``path``."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    return json.loads(str(arrays.pop("__skneural__"))), arrays


def write_model_file(path, document, arrays):
    with open(path, "wb") as f:
        np.savez(f, **arrays, __skneural__=np.array(json.dumps(document)))
