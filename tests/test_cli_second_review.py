"""``skneural train``, ``evaluate`` and ``predict`` after a second independent review: text columns
of numbers, Python-made models' failures named by cell, the ID rules and --keep, --na-values kept
in the model file, values of a date column that are not dates, evaluate's F1 and notes, and the
live line at narrow widths."""

import io

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

import skneural
from skneural import NumpyMLPClassifier
from skneural.cli.columns import plan_columns
from skneural.cli.frames import read_frame
from skneural.cli.model_input import text_columns
from skneural.training.progress import fit_to_terminal

from cli_support import fails, run, write_csv

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _predicted(out, column):
    return pd.read_csv(io.StringIO(out), dtype={column: str})


# -- 1. a text column of mostly numbers --------------------------------------------------------


def test_a_category_column_holding_only_numbers_at_predict_time_keeps_its_categories(tmp_path, capsys):
    rng = np.random.RandomState(0)
    n = 200
    grade = rng.choice(["1", "2", "3", "A"], n)
    x = rng.normal(size=n).round(3)
    y = np.where(np.isin(grade, ["2", "A"]), "hi", "lo")
    data = write_csv(tmp_path / "grade.csv", ["grade", "x", "y"], zip(grade, x, y))
    model = str(tmp_path / "m.skn")
    out, _ = run(["train", data, "--target", "y", "--max-iter", "30", "--learning-rate", "0.05", "--out", model],
                 capsys)
    assert "  grade: categorical, 4 categories one-hot" in out
    rows = [["", "0.1"], *[[g, "0.2"] for g in ("2", "3", "1", "2")]]  # numbers only, and a missing cell
    new = write_csv(tmp_path / "new.csv", ["grade", "x"], rows)
    assert pd.read_csv(new)["grade"].dtype == float  # what pandas alone makes of it: 2.0, an unknown category
    out, _ = run(["predict", model, new], capsys)
    fitted = skneural.load(model)
    expected = fitted.predict(pd.DataFrame({"grade": [np.nan, "2", "3", "1", "2"], "x": [0.1, 0.2, 0.2, 0.2, 0.2]}))
    np.testing.assert_array_equal(_predicted(out, "grade")["predicted_y"], expected)
    assert read_frame(new, text=["grade"])[0]["grade"].tolist()[1:] == ["2", "3", "1", "2"]


def test_a_large_file_mixing_numbers_and_texts_in_a_column_reads_them_all_as_written(tmp_path):
    n = 12_000  # pandas reads 10,000 rows at a time when lean: the first part holds numbers only
    grade = ["1" if i % 2 else "2" for i in range(10_000)] + ["A" if i % 2 else "1" for i in range(n - 10_000)]
    data = write_csv(tmp_path / "big.csv", ["grade", "y"], ([g, i % 2] for i, g in enumerate(grade)))
    for lean in (False, True):
        frame, _ = read_frame(data, lean=lean)
        assert frame["grade"].tolist() == grade


# -- 2. models made in Python --------------------------------------------------------------------


def _python_model(tmp_path, encoder=None):
    rng = np.random.RandomState(0)
    n = 120
    frame = pd.DataFrame({"a": rng.normal(size=n), "c": rng.choice(["1", "2", "x"], n)})
    y = (frame["a"] > 0).astype(int)
    encoder = encoder or OneHotEncoder(handle_unknown="ignore")
    model = Pipeline([("prep", ColumnTransformer([("num", StandardScaler(), ["a"]), ("cat", encoder, ["c"])])),
                      ("net", NumpyMLPClassifier((4,), max_iter=20, random_state=0))]).fit(frame, y)
    path = str(tmp_path / "py.skn")
    skneural.save(model, path)
    return model, path


def test_a_python_model_reads_its_encoded_text_columns_as_text(tmp_path, capsys):
    model, path = _python_model(tmp_path)
    assert text_columns(skneural.load(path), None) == ["c"]
    rows = [["0.5", "1"], ["-0.5", "2"], ["1.5", "2"]]
    data = write_csv(tmp_path / "num.csv", ["a", "c"], rows)
    out, _ = run(["predict", path, data], capsys)
    expected = model.predict(pd.DataFrame({"a": [0.5, -0.5, 1.5], "c": ["1", "2", "2"]}))
    np.testing.assert_array_equal(_predicted(out, "c")["predicted_value"], expected)
    ordinal = Pipeline([("enc", OrdinalEncoder()), ("net", NumpyMLPClassifier(max_iter=2))]).fit(
        pd.DataFrame({"k": ["p", "q", "p", "q"], "m": [1.0, 2.0, 3.0, 4.0]}), [0, 1, 0, 1])
    assert text_columns(ordinal, None) == ["k"]  # m's categories are numbers
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "c": ["1", "2", None, "x"], "d": ["p", "q", "p", "q"]})
    imputed = Pipeline([("prep", ColumnTransformer([  # an imputer before the encoder: it sees no names
        ("c", Pipeline([("fill", SimpleImputer(strategy="most_frequent")), ("one_hot", OneHotEncoder())]), ["c"]),
        ("d", OneHotEncoder(), [2]), ("a", StandardScaler(), ["a"])])),
        ("net", NumpyMLPClassifier(max_iter=2))]).fit(frame, [0, 1, 0, 1])
    assert text_columns(imputed, None) == ["c", "d"]


@pytest.mark.parametrize("cell, message", [
    ("abc", "line 3, column 'a': 'abc' is not a number (the model takes numbers in that column)"),
    ("", "line 3, column 'a': the cell is empty, and the model cannot fill in missing values (it has no imputer): "
         "fill it in or drop the row"),
    ("NA", "line 3, column 'a': 'NA' marks a missing value, and the model cannot fill in missing values")])
def test_a_python_model_failing_on_a_cell_names_it(tmp_path, capsys, cell, message):
    _, path = _python_model(tmp_path)
    data = write_csv(tmp_path / "bad.csv", ["a", "c"], [["0.5", "x"], [cell, "1"], ["1.0", "2"]])
    for command in (["predict", path, data], ["evaluate", path, data, "--target", "c"]):
        err, _ = fails(command, capsys)
        assert f"{data}, {message}" in err and "far outside" not in err, err


# -- 3. IDs and --keep ---------------------------------------------------------------------------


def test_ids_are_row_numbers_or_named_so_and_keep_uses_them(tmp_path, capsys):
    rng = np.random.RandomState(0)
    n = 200

    def distinct():
        return rng.choice(np.arange(10**6), n, replace=False)

    frame = pd.DataFrame({"year": np.arange(2001, 2001 + n), "row": rng.permutation(n),
                          "AMOUNT_PAID": distinct(), "COVID": distinct(), "GRID": distinct(), "HUMID": distinct(),
                          "CustomerID": distinct(), "PassengerId": distinct(), "order_id": distinct(),
                          "user-ID": distinct(), "ID": distinct(), "y": rng.randint(0, 2, n)})
    plan = plan_columns(frame, "y")
    ids = {name for name in frame.columns
           if f"Left out {name!r}: unique on every row (an ID) (--keep {name} to use it)" in plan["notes"]}
    assert ids == {"row", "CustomerID", "PassengerId", "order_id", "user-ID", "ID"}
    assert plan["numeric"] == ["year", "AMOUNT_PAID", "COVID", "GRID", "HUMID"]
    kept = plan_columns(frame, "y", keep=["PassengerId", "row"])
    assert kept["numeric"] == ["year", "row", "AMOUNT_PAID", "COVID", "GRID", "HUMID", "PassengerId"]
    data = str(tmp_path / "ids.csv")
    frame.to_csv(data, index=False)
    out, _ = run(["train", data, "--target", "y", "--max-iter", "2", "--keep", "CustomerID",
                  "--out", str(tmp_path / "m.skn")], capsys)
    assert "  CustomerID: numeric, scaled" in out and "Left out 'CustomerID'" not in out
    err, _ = fails(["train", data, "--target", "y", "--keep", "ID", "--drop", "ID"], capsys)
    assert "'ID' is both dropped and kept with --keep" in err


# -- 4. --na-values in the model file ------------------------------------------------------------


def test_na_values_given_to_train_are_used_by_predict_and_evaluate(tmp_path, capsys):
    rng = np.random.RandomState(1)
    n = 150
    x = rng.normal(size=n).round(3)
    cells = [("unknown" if i % 10 == 3 else "-" if i % 10 == 7 else f"{v}") for i, v in enumerate(x)]
    y = np.where(x > 0, "up", "down")
    data = write_csv(tmp_path / "u.csv", ["x", "y"], zip(cells, y))
    model = str(tmp_path / "m.skn")
    run(["train", data, "--target", "y", "--na-values", "unknown", "-", "--max-iter", "5", "--out", model], capsys)
    fitted, metadata = skneural.load(model, with_metadata=True)
    assert metadata["na_values"] == ["unknown", "-"]
    out, _ = run(["predict", model, data], capsys)
    expected = fitted.predict(pd.DataFrame({"x": pd.read_csv(data, na_values=["unknown", "-"])["x"]}))
    np.testing.assert_array_equal(pd.read_csv(io.StringIO(out))["predicted_y"], expected)
    out, _ = run(["evaluate", model, data], capsys)
    assert out.splitlines()[1].split() == ["accuracy", f"{np.mean(expected == y):.4f}"]


# -- 5. values of a date column that are not dates -----------------------------------------------


def test_values_that_are_not_dates_are_missing_with_a_line(tmp_path, capsys):
    rng = np.random.RandomState(2)
    n = 300
    days = pd.date_range("2021-01-01", periods=n).strftime("%Y-%m-%d").tolist()
    for i, text in ((205, "yesterday"), (250, "soon"), (290, "later")):  # after the 200 rows sampled for the form
        days[i] = text
    x = rng.normal(size=n).round(3)
    data = write_csv(tmp_path / "d.csv", ["x", "day", "y"], zip(x, days, (x > 0).astype(int)))
    model = str(tmp_path / "m.skn")
    out, _ = run(["train", data, "--target", "y", "--max-iter", "2", "--out", model], capsys)
    assert "3 values of 'day' are not dates, e.g. line 207: 'yesterday'; treated as missing" in out.splitlines()
    days[3] = "2021-02-30"
    other = write_csv(tmp_path / "d2.csv", ["x", "day"], zip(x, days))
    out, err = run(["predict", model, other], capsys)
    assert err == "4 values of 'day' are not dates, e.g. line 5: '2021-02-30'; treated as missing\n"
    assert len(pd.read_csv(io.StringIO(out))) == n


# -- 6. evaluate -------------------------------------------------------------------------------


def test_evaluate_scores_the_classes_present_and_notes_unknown_ones_in_a_line(tmp_path, capsys):
    rng = np.random.RandomState(3)
    n = 300
    x = rng.uniform(-3, 3, n).round(3)
    y = np.where(x < -1, "lo", np.where(x > 1, "hi", "mid"))
    data = write_csv(tmp_path / "mc.csv", ["x", "y"], zip(x, y))
    model = str(tmp_path / "m.skn")
    run(["train", data, "--target", "y", "--max-iter", "60", "--learning-rate", "0.05", "--out", model], capsys)
    fitted = skneural.load(model)
    one = write_csv(tmp_path / "one.csv", ["x", "y"], [["0.1", "mid"], ["-0.2", "mid"], ["0.3", "mid"]])
    predicted = fitted.predict(pd.DataFrame({"x": [0.1, -0.2, 0.3]}))
    out, err = run(["evaluate", model, one], capsys)
    truth = ["mid"] * 3
    assert f"F1 (macro average)  {f1_score(truth, predicted, average='macro', zero_division=0):.4f}" in out, out
    assert f"balanced accuracy   {balanced_accuracy_score(truth, predicted):.4f}" in out
    assert err == "" and "warn" not in out.lower()
    new = write_csv(tmp_path / "new.csv", ["x", "y"], [["-2.5", "lo"], ["2.5", "hi"], ["0", "new"], ["0.1", "new"]])
    out, err = run(["evaluate", model, new], capsys)
    assert err == "" and "_classification.py" not in out
    assert ("Note: the true values hold a class the model was never trained on, so never predicts: "
            "'new' (2 rows)") in out.splitlines()
    notes = [line for line in out.splitlines() if line.startswith("Note: ")]
    assert len(notes) == len(set(notes)) and all(len(line) < 120 for line in notes)


# -- 7. the command-line guide's memory figure -----------------------------------------------------------------


def test_the_readme_states_what_the_benchmark_measures():
    import pathlib

    text = " ".join((pathlib.Path(__file__).parent.parent / "docs" / "user_guide" / "command_line.md").read_text().split())
    assert "under 3 times the file's size" not in text
    assert "`examples/csv_benchmark.py` measures the peak memory above the imports at about 2.4 times" in text


# -- 8. the live line at narrow widths -------------------------------------------------------------


def test_the_live_line_keeps_the_epoch_and_the_score_longest():
    line = ("Epoch 3/200 [12/40] - 12.5 epochs/s, 11,250 samples/s - 0:01 elapsed, 0:15 left - loss 0.7405 - "
            "test loss 0.6931 - test accuracy 0.8125")
    steps = [fit_to_terminal(line, width) for width in range(len(line), 10, -1)]
    dropped = ["samples/s", "epochs/s", "elapsed", "left", " - loss", "test loss", "[12/40]"]
    gone = [next(i for i, step in enumerate(steps) if part not in step) for part in dropped]
    assert gone == sorted(gone)  # each gives way after the one before it
    assert fit_to_terminal(line, 40) == "Epoch 3/200 - test accuracy 0.8125"
    assert fit_to_terminal(line, 20) == "Epoch 3/200 - test a"  # cut only once nothing else can go
    assert all(len(step) <= width for step, width in zip(steps, range(len(line), 10, -1)))
