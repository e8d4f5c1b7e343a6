import csv
import inspect
import os
import subprocess
import sys
import warnings
from importlib.metadata import entry_points

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import load
from skneural.cli import UsageError, class_labels, guess_task, main

from cli_support import write_csv


@pytest.fixture
def iris_csv(tmp_path):
    data = load_iris()
    names = data.target_names[data.target]
    header = ["sepal length", "sepal width", "petal length", "petal width", "species"]
    return write_csv(tmp_path / "iris.csv", header, [[*map(str, x), n] for x, n in zip(data.data, names)])


@pytest.fixture
def iris_model(iris_csv, tmp_path):
    path = str(tmp_path / "iris.skn")
    assert main(["train", iris_csv, "--target", "species", "--max-iter", "5", "--out", path]) == 0
    return path


def with_value(path, line, column, value, out):
    """A copy of the CSV file at path with one value replaced (line counted from 1, the header)."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    rows[line - 1][column] = value
    return write_csv(out, rows[0], rows[1:])


def test_the_console_script_is_installed_and_python_m_runs_the_demo(tmp_path):
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "skneural"]
    assert script.value == "skneural.cli:console_main"
    result = subprocess.run([sys.executable, "-m", "skneural", "demo", "--out-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "scikit-learn" in out and "precision" in out and "the same predictions" in out
    accuracy = float(out.strip().splitlines()[-1].split(":")[1].strip().rstrip("%"))
    assert accuracy > 93
    model = load(tmp_path / "digits-model.skn")
    assert model[-1].n_iter_ >= 1 and len(model[-1].validation_scores_) == model[-1].n_iter_
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "pip install matplotlib" in out
    else:
        png = (tmp_path / "digits-curves.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


def test_the_demo_is_the_default_command(monkeypatch):
    import skneural.cli as cli

    calls = []
    monkeypatch.setattr(cli, "demo", lambda *args: calls.append(args))
    assert main([]) == 0
    assert calls == [("skneural-demo", 200)]


def test_options_without_a_command_are_the_demos(monkeypatch, capsys):
    import skneural.cli as cli

    calls = []
    monkeypatch.setattr(cli, "demo", lambda *args: calls.append(args))
    assert main(["--max-iter", "5"]) == 0
    assert main(["--out-dir", "elsewhere", "--max-iter", "7"]) == 0
    assert calls == [("skneural-demo", 5), ("elsewhere", 7)]
    with pytest.raises(SystemExit) as exit:
        main(["--help"])
    assert exit.value.code == 0 and "{demo,train,evaluate,predict}" in capsys.readouterr().out


def test_only_the_first_line_of_a_long_message_is_shown(monkeypatch, capsys):
    import skneural.cli as cli

    def demo(*args):
        raise UsageError("training failed: Input X contains NaN.\nA paragraph of advice")

    monkeypatch.setattr(cli, "demo", demo)
    assert errors_of([], capsys)[:2] == (1, "skneural: error: training failed: Input X contains NaN.")


def test_main_has_a_numpydoc_docstring():
    doc = inspect.getdoc(main)
    assert "Parameters\n----------\nargv : " in doc and "Returns\n-------\nint" in doc
    assert ">>> main(" in doc  # run by pytest --doctest-modules


def test_demo_without_matplotlib_says_how_to_get_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["demo", "--out-dir", str(tmp_path), "--max-iter", "5"]) == 0
    assert "pip install matplotlib" in capsys.readouterr().out
    assert not (tmp_path / "digits-curves.png").exists()


def test_train_then_predict_a_classifier(iris_csv, tmp_path, capsys):
    model_path = str(tmp_path / "iris.skn")
    assert main(["train", iris_csv, "--target", "species", "--hidden", "16,8", "--max-iter", "300",
                 "--out", model_path]) == 0
    out = capsys.readouterr().out
    assert "Task: classification (guessed because the target's values are not all numbers; choose with" in out
    accuracy = float(out.split("held-out accuracy on 30 rows: ")[1].split()[0])
    # scikit-learn's MLP on the same split (the CLI's defaults: 20% held out, stratified, seed 0), from
    # the same initial weights
    X, y = load_iris(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = make_pipeline(StandardScaler(), MLPClassifier((16, 8), max_iter=300, random_state=0))
        theirs = theirs.fit(X_train, y_train).score(X_test, y_test)
    assert accuracy >= max(0.5, theirs - 0.05)
    model, metadata = load(model_path, with_metadata=True)
    assert metadata["features"] == ["sepal length", "sepal width", "petal length", "petal width"]
    assert model[-1].hidden_layer_sizes == (16, 8)

    predictions = str(tmp_path / "predictions.csv")
    assert main(["predict", model_path, iris_csv, "--out", predictions]) == 0
    with open(predictions, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][-4:] == ["predicted_species", "probability_setosa", "probability_versicolor",
                            "probability_virginica"]
    X = pd.DataFrame([[float(v) for v in row[:4]] for row in rows[1:]], columns=rows[0][:4])
    np.testing.assert_array_equal([row[5] for row in rows[1:]], model.predict(X))
    # at full precision: the shortest text that reads back as the same float
    np.testing.assert_allclose([[float(v) for v in row[6:]] for row in rows[1:]], model.predict_proba(X),
                               rtol=1e-12)
    assert np.mean([row[4] == row[5] for row in rows[1:]]) > 0.8


def test_train_guesses_regression_and_predict_writes_to_stdout(tmp_path, capsys):
    data = load_diabetes()
    header = [*data.feature_names, "progression"]
    path = write_csv(tmp_path / "diabetes.csv", header, [[*x, t] for x, t in zip(data.data, data.target)])
    model_path = str(tmp_path / "d.skn")
    assert main(["train", path, "--target", "progression", "--hidden", "8", "--out", model_path]) == 0
    out = capsys.readouterr().out
    assert "Task: regression (guessed" in out
    assert float(out.split("held-out R^2 on 89 rows: ")[1].split()[0]) > 0.2
    assert main(["predict", model_path, path]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].endswith("progression,predicted_progression") and len(lines) == 443


def test_guess_task():
    assert guess_task(["a", "b"]) == ("classification", "the target's values are not all numbers")
    assert guess_task(["0", "1", "1.0"]) == ("classification", "the target has 2 distinct whole-number values")
    assert guess_task([str(v) for v in np.linspace(0, 1, 50)])[0] == "regression"
    assert guess_task([str(v) for v in range(100)]) == ("regression", "the target has 100 distinct numeric values")


def test_class_labels_are_numbers_when_all_are_whole_numbers():
    labels = class_labels(["0", "1", "1.0", "2e0"])
    assert labels.dtype.kind == "i" and labels.tolist() == [0, 1, 1, 2]
    assert class_labels(["1", "x", "1.0"]).tolist() == ["1", "x", "1.0"]
    assert class_labels(["0.5", "1"]).tolist() == ["0.5", "1"]


def test_whole_number_labels_written_differently_are_one_class(tmp_path, capsys):
    data = write_csv(tmp_path / "data.csv", ["a", "y"], [[str(i % 13), ["0", "1", "1.0"][i % 3]] for i in range(60)])
    model_path, predictions = str(tmp_path / "m.skn"), str(tmp_path / "p.csv")
    assert main(["train", data, "--target", "y", "--max-iter", "5", "--out", model_path]) == 0
    assert "2 distinct whole-number values" in capsys.readouterr().out
    assert load(model_path).classes_.tolist() == [0, 1]
    assert main(["predict", model_path, data, "--out", predictions]) == 0
    with open(predictions, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["a", "y", "predicted_y", "probability_0", "probability_1"]
    assert {row[2] for row in rows[1:]} <= {"0", "1"}


def errors_of(argv, capsys):
    """The exit status, the standard error and the standard output of the command."""
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.err.strip(), captured.out


def test_mistakes_end_in_one_line_and_status_1(iris_csv, tmp_path, capsys):
    text = write_csv(tmp_path / "text.csv", ["a", "b", "y"], [["1", "oops", "0"], ["2", "3", "1"]])
    ids = write_csv(tmp_path / "ids.csv", ["id", "y"], [[str(i), str(i % 2)] for i in range(30)])
    cases = [
        (["train", str(tmp_path / "missing.csv"), "--target", "y"], "missing.csv: no such file"),
        (["train", iris_csv, "--target", "colour"], "has no column 'colour'; its columns are: sepal length"),
        (["train", text, "--target", "y", "--task", "regression", "--drop", "b", "--features", "b"],
         "'b' is both dropped and chosen with --features"),
        (["train", ids, "--target", "y"], "no feature columns are left besides the target 'y'"),
        (["train", text, "--target", "y", "--features", "nope"], "there is no column 'nope'; the columns are: a, b, y"),
        (["train", text, "--target", "y", "--features", "y"], "'y' is the target; it cannot be a feature"),
        (["train", text, "--target", "y", "--test-size", "1"], "--test-size must be at least 0 and below 1"),
        (["train", text, "--target", "y", "--cv", "1"], "--cv must be at least 2; got 1"),
        (["predict", iris_csv, iris_csv], "is not a valid skneural model file: it is not a NumPy .npz archive"),
        (["predict", str(tmp_path / "none.skn"), iris_csv], "none.skn: no such file"),
        (["train", iris_csv, "--target", "species", "--max-iter", "0"], "--max-iter must be at least 1; got 0"),
    ]
    for argv, message in cases:
        status, err, _ = errors_of(argv, capsys)
        assert status == 1 and message in err and len(err.splitlines()) == 1, (argv, err)


def test_more_mistakes_end_in_one_line_and_status_1_before_any_training(iris_csv, tmp_path, capsys):
    a_file = write_csv(tmp_path / "a-file.csv", ["x"], [["1"]])
    inf = with_value(iris_csv, 5, 2, "-inf", tmp_path / "inf.csv")
    huge = with_value(iris_csv, 4, 1, "1e300", tmp_path / "huge.csv")
    blank = tmp_path / "blank.csv"
    blank.write_text("a,y\n\n\n1,\n\n2,NA\n3,\n")
    cases = [
        (["train", inf, "--target", "species"], "inf.csv, line 5, column 'petal length': '-inf' is not a finite"),
        (["train", iris_csv, "--target", "species", "--out", str(tmp_path / "none" / "m.skn")],
         f"--out {tmp_path / 'none' / 'm.skn'}: the folder {tmp_path / 'none'} does not exist"),
        (["train", iris_csv, "--target", "species", "--out", f"{a_file}/m.skn"], f"{a_file} is not a folder"),
        (["demo", "--max-iter", "0"], "--max-iter must be at least 1; got 0"),
        (["demo", "--out-dir", f"{a_file}/x"], f"--out-dir {a_file}/x: cannot create that folder"),
        (["train", huge, "--target", "species"],
         "huge.csv, line 4, column 'sepal width': 1e300 is too large to standardize"),
        (["train", iris_csv, "--target", "species", "--random-state", "-1"],
         "--random-state must be between 0 and 4294967295; got -1"),
        (["train", iris_csv, "--target", "species", "--task", "regression"],
         "line 2, column 'species': 'setosa' is not a number (a regression target must be numeric"),
        (["train", str(blank), "--target", "y"], f"no row of {blank} has a value of 'y': there is nothing to learn"),
        # rows without a target are left out (test_cli_review.py); the lines named after them are the file's
        (["train", with_value(with_value(iris_csv, 3, 4, "", tmp_path / "no-label.csv"), 5, 2, "-inf",
                              tmp_path / "no-label-inf.csv"), "--target", "species"],
         "no-label-inf.csv, line 5, column 'petal length': '-inf' is not a finite"),
        (["train", iris_csv, "--target", "species", "--out", ""], "--out needs a file name"),
        (["train", iris_csv, "--target", "species", "--learning-rate-schedule", "adaptive"],
         "--learning-rate-schedule adaptive changes the learning rate of --optimizer sgd only (got --optimizer adam)"),
    ]
    for argv, message in cases:
        status, err, out = errors_of(argv, capsys)
        assert status == 1 and message in err and len(err.splitlines()) == 1, (argv, err)
        assert "Training" not in out and "Digits" not in out, argv
    assert not (tmp_path / "none").exists()


def test_predict_mistakes_end_in_one_line_and_status_1(iris_csv, iris_model, tmp_path, capsys):
    cases = [
        (["predict", iris_model, with_value(iris_csv, 4, 0, "oops", tmp_path / "text.csv")],
         "text.csv, line 4, column 'sepal length': 'oops' is not a number"),
        (["predict", iris_model, with_value(iris_csv, 4, 0, "inf", tmp_path / "inf.csv")],
         "inf.csv, line 4, column 'sepal length': 'inf' is not a finite number"),
        (["predict", iris_model, iris_csv, "--out", str(tmp_path / "none" / "p.csv")],
         f"--out {tmp_path / 'none' / 'p.csv'}: the folder {tmp_path / 'none'} does not exist"),
        (["predict", iris_model, iris_csv, "--out", str(tmp_path)], f"--out {tmp_path} is a folder"),
        (["predict", iris_model, with_value(iris_csv, 2, 0, "1.7e308", tmp_path / "far.csv")],
         "far.csv: cannot predict: "),
    ]
    for argv, message in cases:
        status, err, out = errors_of(argv, capsys)
        assert status == 1 and message in err and len(err.splitlines()) == 1, (argv, err)
    assert not (tmp_path / "none").exists()


def test_a_missing_feature_value_is_imputed_at_prediction(iris_csv, iris_model, tmp_path, capsys):
    missing = with_value(iris_csv, 4, 0, "nan", tmp_path / "nan.csv")
    assert main(["predict", iris_model, with_value(missing, 5, 1, "", tmp_path / "empty.csv")]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 151


def test_repeated_column_names_are_rejected(iris_model, tmp_path, capsys):
    rows = [[str(i % 7), str(i % 5), str(i % 2)] for i in range(30)]
    twice = write_csv(tmp_path / "twice.csv", ["x", "x", "y"], rows)
    status, err, _ = errors_of(["train", twice, "--target", "y", "--out", str(tmp_path / "m.skn")], capsys)
    assert (status, err) == (1, f"skneural: error: {twice}: column names must be unique, but the header repeats 'x'")
    names = ["sepal length", "sepal width", "petal length", "petal width", "sepal width"]
    iris_twice = write_csv(tmp_path / "iris-twice.csv", names, [["5.1", "3.5", "1.4", "0.2", "9"]])
    status, err, out = errors_of(["predict", iris_model, iris_twice], capsys)
    assert status == 1 and err.endswith("the header repeats 'sepal width'") and out == ""


def test_a_byte_order_mark_is_not_part_of_the_first_column_name(tmp_path, capsys):
    plain = write_csv(tmp_path / "plain.csv", ["a", "b", "y"],
                      [[f"{i * 0.37:.2f}", str(i % 7), str(i % 2)] for i in range(40)])
    excel = tmp_path / "excel.csv"  # Excel's "CSV UTF-8" starts with a byte order mark
    excel.write_bytes(b"\xef\xbb\xbf" + (tmp_path / "plain.csv").read_bytes())
    model_path = str(tmp_path / "m.skn")
    assert main(["train", str(excel), "--target", "y", "--max-iter", "5", "--out", model_path]) == 0
    assert load(model_path, with_metadata=True)[1]["features"] == ["a", "b"]
    capsys.readouterr()
    assert main(["predict", model_path, plain]) == 0
    assert main(["predict", model_path, str(excel)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == lines[41] == "a,b,y,predicted_y,probability_0,probability_1"
    assert main(["train", str(excel), "--target", "a", "--max-iter", "5", "--out", model_path]) == 0


def test_predict_needs_the_model_columns(iris_model, tmp_path, capsys):
    other = write_csv(tmp_path / "other.csv", ["sepal length", "petal width"], [["1", "2"]])
    status, err, _ = errors_of(["predict", iris_model, other], capsys)
    assert status == 1 and "has no column 'sepal width'" in err


def test_no_traceback_from_the_command_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "skneural", "train", str(tmp_path / "nope.csv"), "--target", "y"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"skneural: error: {tmp_path / 'nope.csv'}: no such file"]


def test_a_closed_pipe_ends_predict_quietly(iris_csv, iris_model, tmp_path):
    with open(iris_csv, newline="") as f:
        rows = list(csv.reader(f))
    many = write_csv(tmp_path / "many.csv", rows[0], rows[1:] * 40)  # more than a pipe holds
    process = subprocess.Popen([sys.executable, "-m", "skneural", "predict", iris_model, many],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().startswith("sepal length,")  # like skneural predict ... | head -1
    process.stdout.close()
    _, err = process.communicate(timeout=60)
    assert err == "" and process.returncode == 1


def test_out_is_never_an_input_and_is_checked_writable_before_training(iris_csv, iris_model, tmp_path, capsys):
    model_before = open(iris_model, "rb").read()
    cases = [
        (["predict", iris_model, iris_csv, "--out", iris_model], f"--out {iris_model} is the input {iris_model}"),
        (["predict", iris_model, iris_csv, "--out", iris_csv], f"--out {iris_csv} is the input {iris_csv}"),
        (["train", iris_csv, "--target", "species", "--out", iris_csv], f"--out {iris_csv} is the input"),
        (["train", iris_csv, "--target", "species", "--out", "/proc/model.skn"],
         "--out /proc/model.skn: cannot write in the folder /proc"),  # not writable even for root
    ]
    for argv, message in cases:
        status, err, out = errors_of(argv, capsys)
        assert status == 1 and message in err and len(err.splitlines()) == 1, (argv, err)
        assert "Training" not in out, argv
    assert open(iris_model, "rb").read() == model_before


def test_a_bad_model_file_is_one_line_naming_it(iris_csv, iris_model, tmp_path, capsys):
    import json

    with np.load(iris_model, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    document = json.loads(str(arrays.pop("__skneural__")))
    for metadata in ({"features": 5}, {"features": [1, 2, 3, 4]}, {"features": ["a"], "target": ["x"]}):
        bad = tmp_path / "bad.skn"
        with open(bad, "wb") as f:
            np.savez(f, **arrays, __skneural__=np.array(json.dumps(dict(document, metadata=metadata))))
        status, err, _ = errors_of(["predict", str(bad), iris_csv], capsys)
        assert status == 1 and f"{bad} was not saved by 'skneural train'" in err and len(err.splitlines()) == 1
    os.mkfifo(tmp_path / "fifo.skn")
    status, err, _ = errors_of(["predict", str(tmp_path / "fifo.skn"), iris_csv], capsys)
    assert status == 1 and "is not a valid skneural model file: it is not a regular file" in err
