"""A real dataset shipped offline: the Palmer penguins (the ``palmerpenguins`` package's CSV file, with
text columns and missing values), through the command line and through a Python pipeline."""

import importlib.resources

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import skneural
from skneural import NumpyMLPClassifier
from skneural.cli import main

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def penguins_csv():
    pytest.importorskip("palmerpenguins", reason='the test extra ships the data: pip install -e ".[test]"')
    return str(importlib.resources.files("palmerpenguins") / "data" / "penguins.csv")


def test_the_command_line_trains_evaluates_and_predicts_on_penguins(penguins_csv, tmp_path, capsys):
    model = str(tmp_path / "penguins.skn")
    assert main(["train", penguins_csv, "--target", "species", "--hidden", "16", "--max-iter", "200",
                 "--learning-rate", "0.01", "--out", model]) == 0
    out = capsys.readouterr().out
    assert "Reading " in out and "344 rows" in out
    for line in ("  island: categorical", "  sex: categorical", "  bill_length_mm: numeric"):
        assert any(row.startswith(line) for row in out.splitlines()), (line, out)
    accuracy = float(out.split("held-out accuracy on ")[1].split(": ")[1].split()[0])
    majority = pd.read_csv(penguins_csv)["species"].value_counts(normalize=True).max()
    assert accuracy > majority + 0.3  # far above always guessing the commonest species

    predictions = str(tmp_path / "predictions.csv")
    assert main(["predict", model, penguins_csv, "--out", predictions]) == 0
    assert main(["evaluate", model, penguins_csv, "--target", "species"]) == 0
    report = capsys.readouterr().out
    written = pd.read_csv(predictions)
    agreement = (written["predicted_species"] == written["species"]).mean()
    assert float(report.split("\naccuracy")[1].split()[0]) == pytest.approx(agreement, abs=1e-3)


def test_a_python_pipeline_on_penguins_round_trips_through_a_model_file(penguins_csv, tmp_path):
    frame = pd.read_csv(penguins_csv)
    X, y = frame.drop(columns="species"), frame["species"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    prep = ColumnTransformer([
        ("numbers", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()),
         make_column_selector(dtype_include="number")),
        ("text", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")),
         make_column_selector(dtype_include=object)),
    ])
    model = make_pipeline(prep, NumpyMLPClassifier((16,), max_iter=300, random_state=0)).fit(X_train, y_train)
    skneural.save(model, tmp_path / "p.skn")
    loaded = skneural.load(tmp_path / "p.skn")
    np.testing.assert_array_equal(loaded.predict_proba(X_test), model.predict_proba(X_test))
    shuffled = X_test[X_test.columns[::-1]]
    np.testing.assert_array_equal(loaded.predict_proba(shuffled), model.predict_proba(shuffled))
    assert list(loaded.feature_names_in_) == list(X.columns)
    with pytest.raises(ValueError, match="columns are missing"):
        loaded.predict(X_test.drop(columns="island"))
    assert (loaded.predict(X_test) == y_test).mean() > y.value_counts(normalize=True).max() + 0.3
