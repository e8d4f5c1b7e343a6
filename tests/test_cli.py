import csv
import subprocess
import sys
from importlib.metadata import entry_points

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris

from skneural import load
from skneural.cli import guess_task, main


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


@pytest.fixture
def iris_csv(tmp_path):
    data = load_iris()
    names = data.target_names[data.target]
    header = ["sepal length", "sepal width", "petal length", "petal width", "species"]
    return write_csv(tmp_path / "iris.csv", header, [[*map(str, x), n] for x, n in zip(data.data, names)])


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
    assert "Task: classification (guessed" in out
    accuracy = float(out.split("held-out accuracy on 30 rows: ")[1].split()[0])
    assert accuracy > 0.8
    model, metadata = load(model_path, with_metadata=True)
    assert metadata["features"] == ["sepal length", "sepal width", "petal length", "petal width"]
    assert model[-1].hidden_layer_sizes == (16, 8)

    predictions = str(tmp_path / "predictions.csv")
    assert main(["predict", model_path, iris_csv, "--out", predictions]) == 0
    with open(predictions, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][-4:] == ["predicted_species", "probability_setosa", "probability_versicolor",
                            "probability_virginica"]
    X = np.array([[float(v) for v in row[:4]] for row in rows[1:]])
    np.testing.assert_array_equal([row[5] for row in rows[1:]], model.predict(X))
    np.testing.assert_allclose([[float(v) for v in row[6:]] for row in rows[1:]], model.predict_proba(X), rtol=1e-5)
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
    assert guess_task(["a", "b"])[0] == "classification"
    assert guess_task(["0", "1", "1"])[0] == "classification"
    assert guess_task([str(v) for v in np.linspace(0, 1, 50)])[0] == "regression"
    assert guess_task([str(v) for v in range(100)])[0] == "regression"


def errors_of(argv, capsys):
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.err.strip()


def test_mistakes_end_in_one_line_and_status_1(iris_csv, tmp_path, capsys):
    text = write_csv(tmp_path / "text.csv", ["a", "b", "y"], [["1", "oops", "0"], ["2", "3", "1"]])
    cases = [
        (["train", str(tmp_path / "missing.csv"), "--target", "y"], "missing.csv: no such file"),
        (["train", iris_csv, "--target", "colour"], "has no column 'colour'; its columns are: sepal length"),
        (["train", text, "--target", "y"], "line 2, column 'b': 'oops' is not a number"),
        (["predict", iris_csv, iris_csv], "is not a skneural model file"),
        (["predict", str(tmp_path / "none.skn"), iris_csv], "none.skn: no such file"),
        (["train", iris_csv, "--target", "species", "--max-iter", "0"], "training failed: The 'max_iter'"),
    ]
    for argv, message in cases:
        status, err = errors_of(argv, capsys)
        assert status == 1 and message in err and len(err.splitlines()) == 1, (argv, err)


def test_predict_needs_the_model_columns(iris_csv, tmp_path, capsys):
    model_path = str(tmp_path / "iris.skn")
    assert main(["train", iris_csv, "--target", "species", "--max-iter", "5", "--out", model_path]) == 0
    other = write_csv(tmp_path / "other.csv", ["sepal length", "petal width"], [["1", "2"]])
    status, err = errors_of(["predict", model_path, other], capsys)
    assert status == 1 and "has no column 'sepal width'" in err


def test_no_traceback_from_the_command_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "skneural", "train", str(tmp_path / "nope.csv"), "--target", "y"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"skneural: error: {tmp_path / 'nope.csv'}: no such file"]
