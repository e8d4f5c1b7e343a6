"""Helpers shared by the command-line tests: CSV files, and a skip while model files cannot hold
the tabular pipelines that ``skneural train`` makes."""

import csv
import os
import tempfile
import warnings


def write_csv(path, header, rows, delimiter=","):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def needs_tabular_model_files():
    """pytest.skip while skneural.save raises TypeError for a Pipeline with a ColumnTransformer
    (the pipelines 'skneural train' makes), or while skneural.load refuses one whose imputer was
    fitted on float32 columns (as 'skneural train' fits it, to halve the memory it takes)."""
    import numpy as np
    import pandas as pd
    import pytest
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline

    import skneural
    from skneural import NumpyMLPClassifier

    model = make_pipeline(ColumnTransformer([("impute", SimpleImputer(strategy="median", add_indicator=True),
                                              ["a"])]),
                          NumpyMLPClassifier(hidden_layer_sizes=(2,), max_iter=1))
    X = pd.DataFrame({"a": np.array([0.0, 1.0, np.nan, 3.0], dtype=np.float32)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, [0, 0, 1, 1])
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "m.skn")
        try:
            skneural.save(model, path)
        except TypeError as exc:
            if "ColumnTransformer" in str(exc):
                pytest.skip("tabular pipelines in model files not yet supported")
            raise
        try:
            skneural.load(path)
        except ValueError as exc:
            if "not of the dtype the imputer was fitted on" in str(exc):
                pytest.skip("model files do not yet hold imputers fitted on float32 columns")
            raise
