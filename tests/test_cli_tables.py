"""``skneural train``, ``evaluate`` and ``predict`` on realistic CSV files: text, boolean, date and
ID columns, missing values, other separators, quoted fields; and the memory ``train`` takes."""

import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

import skneural
from skneural.cli import main
from skneural.cli.columns import prepare_features
from skneural.cli.frames import detect_separator, read_frame

from cli_support import run, write_csv


def titanic_like(path, n=400, sep=","):
    """Passengers: an ID, names with commas and quotes, tickets, missing ages and cabins, a constant,
    a date and a boolean column; survival depends on sex, class and age."""
    rng = np.random.RandomState(0)
    sex = rng.choice(["male", "female"], n)
    pclass = rng.choice([1, 2, 3], n)
    age = rng.uniform(1, 80, n).round(0)
    survived = ((sex == "female") & (pclass < 3)) | (age < 10)
    survived = np.where(rng.rand(n) < 0.1, ~survived, survived).astype(int)
    age[rng.rand(n) < 0.2] = np.nan
    rows = []
    for i in range(n):
        rows.append([str(1000 + i), str(survived[i]), str(pclass[i]), f'Doe, Mr. John "Jack" {i}', sex[i],
                     "" if np.isnan(age[i]) else f"{age[i]:g}", f"A/5 {rng.randint(0, 150)}",
                     f"{rng.exponential(30):.2f}", rng.choice(["", "NA", "C85", "B42"]), rng.choice(["S", "C", "Q"]),
                     "1912", f"1912-04-{1 + i % 28:02d}", rng.choice(["True", "False"])])
    header = ["PassengerId", "Survived", "Pclass", "Name", "Sex", "Age", "Ticket", "Fare", "Cabin", "Embarked",
              "Year", "Boarded", "Alone"]
    return write_csv(path, header, rows, delimiter=sep)


def test_reading_detects_the_separator_and_reads_quotes_and_missing_markers(tmp_path):
    path = tmp_path / "quoted.csv"
    path.write_text('name;price;note\n"Smith, J.";1,5;NA\n"O\'Brien; K.";2;"said ""hi"""\n\nLee;;N/A\n')
    assert detect_separator(str(path)) == ";"
    frame, sep = read_frame(str(path))
    assert sep == ";" and list(frame.columns) == ["name", "price", "note"] and len(frame) == 3
    assert frame["name"].tolist() == ["Smith, J.", "O'Brien; K.", "Lee"]
    assert frame["note"].isna().tolist() == [True, False, True] and frame["note"][1] == 'said "hi"'
    assert frame["price"].isna().tolist() == [False, False, True]
    tabs = write_csv(tmp_path / "tabs.tsv", ["a", "b"], [["1", "x, y"], ["2", "z"]], delimiter="\t")
    assert read_frame(tabs)[1] == "\t" and read_frame(tabs)[0]["b"].tolist() == ["x, y", "z"]


def test_train_reports_each_column_and_evaluate_and_predict_run_end_to_end(tmp_path, capsys):
    data = titanic_like(tmp_path / "titanic.csv")
    model = str(tmp_path / "titanic.skn")
    out, err = run(["train", data, "--target", "Survived", "--hidden", "16", "--max-iter", "30",
                    "--learning-rate", "0.01", "--out", model], capsys)
    lines = out.splitlines()
    assert lines[0].startswith(f"Reading {data} ... 400 rows, 13 columns (separator ',')")
    for line in ["Left out 'PassengerId': unique on every row (an ID) (--keep PassengerId to use it)",
                 "Left out 'Name': unique on every row (an ID) (--keep Name to use it)",
                 "Left out 'Year': the same value on every row (--keep Year to use it)",
                 "Date 'Boarded': turned into the numeric features Boarded_year, Boarded_month, Boarded_day, "
                 "Boarded_dayofweek", "Features (9):", "  Pclass: numeric, scaled",
                 "  Sex: categorical, 2 categories one-hot", "  Alone: True/False, as 1/0 (numeric), scaled",
                 "  Embarked: categorical, 3 categories one-hot"]:
        assert line in lines, (line, out)
    assert any(line.startswith("  Age: numeric, ") and "missing (median, with a missing indicator)" in line
               for line in lines)
    assert any(line.startswith("  Ticket: categorical, ") and "grouped as 'infrequent'" in line for line in lines)
    assert any(line.startswith("  Cabin: categorical, ") and "missing (a category of their own)" in line
               for line in lines)
    # the live line: one line per epoch when standard output is not a terminal
    epochs = [line for line in lines if line.startswith("Epoch ")]
    assert len(epochs) == 30 and epochs[0].startswith("Epoch 1/30 - ") and " elapsed, " in epochs[0]
    assert " left - loss " in epochs[-1]
    accuracy = float(out.split("held-out accuracy on 80 rows: ")[1].split()[0])
    assert accuracy > 0.7
    assert f"Saved the model to {model}" in out
    fitted, metadata = skneural.load(model, with_metadata=True)
    assert metadata["dates"] == ["Boarded"] and "Sex" in metadata["categorical"] and "Age" in metadata["numeric"]

    out, _ = run(["evaluate", model, data, "--target", "Survived", "--plot", str(tmp_path / "figures")], capsys)
    for name in ("accuracy", "balanced accuracy", "F1 (positive class 1)", "ROC AUC", "Confusion matrix"):
        assert f"\n{name}" in out, out
    assert float(out.split("\nROC AUC")[1].split()[0]) > 0.7
    matrix = [line.split() for line in out.split("columns: predicted class):\n")[1].splitlines()[1:3]]
    assert sum(int(v) for row in matrix for v in row[1:]) == 400
    for name in ("confusion_matrix.png", "loss_curve.png"):
        assert (tmp_path / "figures" / name).read_bytes().startswith(b"\x89PNG")

    # predict: columns in another order, one more column, a category never seen, missing values
    frame = pd.read_csv(data, keep_default_na=False, dtype=str)
    frame = frame[frame.columns[::-1]].assign(extra="kept")
    frame.loc[0, "Embarked"], frame.loc[1, "Fare"], frame.loc[2, "Sex"] = "Atlantis", "", "NA"
    shuffled = str(tmp_path / "shuffled.csv")
    frame.to_csv(shuffled, index=False)
    predictions = str(tmp_path / "predictions.csv")
    out, _ = run(["predict", model, shuffled, "--out", predictions], capsys)
    assert out == f"Wrote 400 predictions to {predictions}\n"
    written = pd.read_csv(predictions, keep_default_na=False, dtype=str)
    assert list(written.columns) == [*frame.columns, "predicted_Survived", "probability_0", "probability_1"]
    assert (written[frame.columns] == frame).all().all()  # the rows as they were written
    plan = {key: metadata[key] for key in ("numeric", "categorical", "dates")}
    expected = fitted.predict_proba(prepare_features(pd.read_csv(data), plan, data, ",").iloc[3:])
    np.testing.assert_array_equal(written[["probability_0", "probability_1"]].astype(float).to_numpy()[3:],
                                  expected)  # full precision
    status = main(["predict", model, shuffled, "--out", shuffled])
    assert status == 1 and "is the input" in capsys.readouterr().err


def test_a_semicolon_file_with_drop_features_sep_and_test_size_0(tmp_path, capsys):
    data = titanic_like(tmp_path / "semi.csv", sep=";")
    model = str(tmp_path / "m.skn")
    out, _ = run(["train", data, "--target", "Survived", "--features", "Sex", "Age", "Boarded", "--max-iter", "3",
                  "--test-size", "0", "--out", model], capsys)
    assert "(separator ';')" in out and "Features (3):" in out and "Left out" not in out
    assert "no rows held out (--test-size 0)" in out and "Training NumpyMLPClassifier" in out and " on 400 rows" in out
    out, _ = run(["train", data, "--target", "Survived", "--drop", "Ticket", "Cabin", "--max-iter", "3",
                  "--sep", ";", "--out", model], capsys)
    assert "Left out 'Ticket': --drop" in out and "Left out 'Cabin': --drop" in out and "Features (7):" in out
    status = main(["train", data, "--target", "Survived", "--sep", ",", "--out", model])
    assert status == 1 and "no column 'Survived'" in capsys.readouterr().err


def test_the_settings_people_tune_reach_the_estimator_and_cv_reports_scores(tmp_path, capsys):
    data = titanic_like(tmp_path / "t.csv", n=150)
    out, err = run(["train", data, "--target", "Survived", "--alpha", "0.01", "--learning-rate", "0.005",
                    "--batch-size", "32", "--early-stopping", "--dropout", "0.1", "--max-iter", "4",
                    "--n-iter-no-change", "3", "--class-weight", "balanced", "--normalization", "layer",
                    "--cv", "3", "--out", str(tmp_path / "m.skn")], capsys)
    training = out.split("Training ")[1].split(" on ")[0]
    for setting in ("alpha=0.01", "learning_rate_init=0.005", "batch_size=32", "early_stopping=True",
                    "dropout=0.1", "n_iter_no_change=3", "class_weight='balanced'", "normalization='layer'"):
        assert setting in training, training
    assert "Cross-validated accuracy (3 folds): " in out
    assert " - validation accuracy " in out  # early stopping's validation score on the live line
    status = main(["train", data, "--target", "Fare", "--class-weight", "balanced"])
    assert status == 1 and "--class-weight is for classification only" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0 and capsys.readouterr().out == f"skneural {skneural.__version__}\n"


def test_regression_evaluate_and_plot(tmp_path, capsys):
    rng = np.random.RandomState(1)
    X = rng.uniform(-1, 1, (300, 2))
    rows = [[f"{a:.4f}", f"{b:.4f}", rng.choice(["x", "y"]), f"{3 * a - b + 0.1 * rng.randn():.4f}"] for a, b in X]
    data = write_csv(tmp_path / "r.csv", ["a", "b", "kind", "target"], rows)
    model = str(tmp_path / "r.skn")
    run(["train", data, "--target", "target", "--max-iter", "200", "--hidden", "16", "--out", model], capsys)
    out, _ = run(["evaluate", model, data, "--plot", str(tmp_path / "plots")], capsys)
    assert float(out.split("\nR^2")[1].split()[0]) > 0.8
    assert "\nMAE" in out and "\nRMSE" in out
    assert (tmp_path / "plots" / "predicted_vs_true.png").read_bytes().startswith(b"\x89PNG")


def test_predict_takes_a_model_fitted_in_python_on_a_dataframe(tmp_path, capsys):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.standard_normal((80, 3)), columns=["u", "v", "w"])
    y = (frame["u"] > 0).astype(int)
    model = make_pipeline(StandardScaler(), skneural.NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=50,
                                                                         random_state=0))
    with pytest.warns(Warning):
        model.fit(frame, y)
    path = str(tmp_path / "python.skn")
    skneural.save(model, path)
    data = str(tmp_path / "rows.csv")
    frame[["w", "u", "v"]].assign(note="n").to_csv(data, index=False)
    out, _ = run(["predict", path, data], capsys)
    written = pd.read_csv(pd.io.common.StringIO(out))
    assert list(written.columns) == ["w", "u", "v", "note", "predicted_value", "probability_0", "probability_1"]
    np.testing.assert_array_equal(written[["probability_0", "probability_1"]].to_numpy(),
                                  model.predict_proba(pd.read_csv(data)[["u", "v", "w"]]))


MEMORY_RUN = ("import resource, subprocess, sys; "
              "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True); "
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode, done.stderr.strip())")


def _numbers_file(path, rows):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((rows, 29))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    with open(path, "w") as f:
        f.write(",".join([f"x{i}" for i in range(29)] + ["y"]) + "\n")
        np.savetxt(f, np.column_stack([X, y]), fmt=["%.6f"] * 29 + ["%d"], delimiter=",")
    return os.path.getsize(path)


def _peak_bytes(data, out):
    """The peak resident memory of 'skneural train' on data (two epochs), run in a fresh process; and the time."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", MEMORY_RUN, sys.executable, "-m", "skneural", "train", data,
                             "--target", "y", "--max-iter", "2", "--out", out],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    peak, status, err = result.stdout.split(" ", 2)
    assert status == "0" and os.path.getsize(out) > 0, err  # read, trained and saved
    return int(peak) * (1 if sys.platform == "darwin" else 1024), time.perf_counter() - start


@pytest.mark.skipif(sys.platform == "win32", reason="resource is Unix-only")
def test_train_reads_100000_rows_within_3_times_the_file_size(tmp_path):
    """The fixed cost (the interpreter with numpy, pandas, scikit-learn and skneural loaded, a model
    trained and saved) is measured, not assumed: the same command on 1,000 rows of the same
    columns.  Above it, reading and training on 100,000 rows x 30 columns may take at most 3
    times the file's size."""
    big, small = str(tmp_path / "big.csv"), str(tmp_path / "small.csv")
    size = _numbers_file(big, 100_000)
    _numbers_file(small, 1_000)
    baseline, baseline_time = _peak_bytes(small, str(tmp_path / "small.skn"))
    peak, big_time = _peak_bytes(big, str(tmp_path / "big.skn"))
    print(f"file {size / 1e6:.1f} MB; peak {peak / 1e6:.0f} MB, baseline {baseline / 1e6:.0f} MB "
          f"(+{(peak - baseline) / size:.2f} x the file); {big_time:.1f} s (baseline run {baseline_time:.1f} s)")
    assert peak - baseline <= 3 * size


def test_a_target_of_one_class_is_refused(tmp_path, capsys):
    data = write_csv(tmp_path / "one.csv", ["x", "cat", "y"],
                     [[str(i), "ab"[i % 2], "p"] for i in range(30)])
    status = main(["train", data, "--target", "y", "--out", str(tmp_path / "m.skn")])
    err = capsys.readouterr().err
    assert status == 1 and "'y' has the same value ('p') on every row" in err, err
    assert not (tmp_path / "m.skn").exists()


@pytest.mark.parametrize("flag, value, param, expected", [
    ("--hidden", "16,8", "hidden_layer_sizes", (16, 8)), ("--activation", "tanh", "activation", "tanh"),
    ("--optimizer", "sgd", "optimizer", "sgd"), ("--max-iter", "7", "max_iter", 7),
    ("--alpha", "0.02", "alpha", 0.02), ("--learning-rate", "0.003", "learning_rate_init", 0.003),
    ("--learning-rate-schedule", "adaptive", "learning_rate", "adaptive"), ("--batch-size", "48", "batch_size", 48),
    ("--early-stopping", None, "early_stopping", True), ("--validation-fraction", "0.2", "validation_fraction", 0.2),
    ("--n-iter-no-change", "4", "n_iter_no_change", 4), ("--tol", "0.001", "tol", 0.001),
    ("--dropout", "0.25", "dropout", 0.25), ("--normalization", "batch", "normalization", "batch"),
    ("--max-grad-norm", "2.5", "max_grad_norm", 2.5), ("--init", "he_normal", "init", "he_normal"),
    ("--class-weight", "balanced", "class_weight", "balanced"),
    ("--label-smoothing", "0.1", "label_smoothing", 0.1), ("--random-state", "3", "random_state", 3),
])
def test_every_model_flag_reaches_the_estimator(flag, value, param, expected):
    from skneural.cli import build_parser
    from skneural.cli.train_command import build_model

    argv = ["train", "data.csv", "--target", "y", flag, *([] if value is None else [value])]
    args = build_parser().parse_args(argv)
    plan = {"numeric": ["x"], "categorical": [], "dates": []}
    default = build_model(build_parser().parse_args(argv[:4]), "classification", plan, 100, progress=False)[0]
    model = build_model(args, "classification", plan, 100, progress=False)[0]
    assert model[-1].get_params()[param] == expected
    assert default[-1].get_params()[param] != expected  # the flag changed it


def test_the_loss_flag_reaches_a_regressor():
    from skneural.cli import build_parser
    from skneural.cli.train_command import build_model

    args = build_parser().parse_args(["train", "data.csv", "--target", "y", "--loss", "huber"])
    plan = {"numeric": ["x"], "categorical": [], "dates": []}
    model = build_model(args, "regression", plan, 100, progress=False)[0]
    assert model.regressor[-1].get_params()["loss"] == "huber"
