"""``skneural train``, ``evaluate`` and ``predict`` after an independent review: True/False columns,
IDs, missing-value markers, the live line's width, rows without a target, day-month dates, --loss,
predict's output file, evaluate --plot without matplotlib."""

import io
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

import skneural
from skneural.cli import main
from skneural.cli.columns import plan_columns, prepare_features

from cli_support import fails, run, write_csv

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def table(path, n=200, seed=0, **columns):
    """A CSV file of n rows: x (a number), group (text), label (depending on both), and columns
    given as functions of (i, rng) returning the text of row i."""
    rng = np.random.RandomState(seed)
    header, rows = ["x", "group", "label", *columns], []
    for i in range(n):
        x, group = rng.uniform(-1, 1), "abc"[rng.randint(3)]
        extra = [make(i, rng) for make in columns.values()]
        rows.append([f"{x:.3f}", group, "yes" if (x > 0) != (group == "c") else "no", *extra])
    return write_csv(path, header, rows)


def _argv(data, *more):
    return ["train", data, "--target", "label", "--hidden", "8", "--max-iter", "20", "--learning-rate", "0.01",
            *more]


# -- 1. True/False columns -----------------------------------------------------------------------


@pytest.mark.parametrize("with_missing", [False, True])
def test_a_model_trained_by_the_command_predicts_the_raw_read_csv_frame_as_predict_does(tmp_path, capsys,
                                                                                       with_missing):
    def alone(i, rng):
        return "" if with_missing and i % 9 == 0 else str(bool(rng.rand() < 0.4))

    data = table(tmp_path / "t.csv", alone=alone)
    raw = pd.read_csv(data)
    assert raw["alone"].dtype == (object if with_missing else bool)  # what pandas makes of True/False
    model, predictions = str(tmp_path / "m.skn"), str(tmp_path / "p.csv")
    out, _ = run([*_argv(data), "--out", model], capsys)
    missing = int(raw["alone"].isna().sum())
    assert ("  alone: True/False, as 1/0 (numeric), "
            + (f"{missing} missing (median, with a missing indicator), " if missing else "") + "scaled") in out
    run(["predict", model, data, "--out", predictions], capsys)
    written = pd.read_csv(predictions)
    loaded = skneural.load(model)
    np.testing.assert_array_equal(loaded.predict_proba(raw), written[["probability_no", "probability_yes"]])
    np.testing.assert_array_equal(loaded.predict(raw), written["predicted_label"])


# -- 2. IDs ----------------------------------------------------------------------------------------


def test_only_consecutive_or_id_named_whole_number_columns_are_ids():
    rng = np.random.RandomState(0)
    n = 200
    frame = pd.DataFrame({"income": rng.choice(np.arange(10_000, 90_000), n, replace=False),
                          "row": rng.permutation(np.arange(1, 1 + n)),  # row numbers, shuffled
                          "customer_id": rng.choice(np.arange(10**6), n, replace=False),
                          "PassengerId": rng.choice(np.arange(10**6), n, replace=False),
                          "Key": rng.choice(np.arange(10**6), n, replace=False),
                          "paid": rng.choice(np.arange(10**6), n, replace=False),  # ends in "id", not "Id"
                          "name": [f"person {i}" for i in range(n)],
                          "y": rng.randint(0, 2, n)})
    plan = plan_columns(frame, "y")
    ids = {name for name in frame.columns
           if f"Left out {name!r}: unique on every row (an ID) (--keep {name} to use it)" in plan["notes"]}
    assert ids == {"row", "customer_id", "PassengerId", "Key", "name"}
    assert plan["numeric"] == ["income", "paid"]


# -- 3. missing-value markers ----------------------------------------------------------------------


def test_a_question_mark_is_missing_and_na_values_adds_markers_for_all_three_commands(tmp_path, capsys):
    data = table(tmp_path / "q.csv", age=lambda i, rng: "?" if i == 7 else str(rng.randint(20, 70)),
                 size=lambda i, rng: "-" if i in (3, 50) else f"{rng.uniform(1, 2):.2f}")
    err, _ = fails([*_argv(data), "--out", str(tmp_path / "no.skn")], capsys)
    assert f"{data}, line 5, column 'size': '-' is not a number, but 198 of the column's 200 values are" in err
    assert "--na-values '-'" in err and not (tmp_path / "no.skn").exists()
    model = str(tmp_path / "m.skn")
    out, _ = run([*_argv(data, "--na-values", "-", "missing"), "--out", model], capsys)
    assert "  age: numeric, 1 missing (median, with a missing indicator), scaled" in out
    assert "  size: numeric, 2 missing (median, with a missing indicator), scaled" in out
    run(["evaluate", model, data], capsys)  # the model file records the markers
    out, _ = run(["predict", model, data], capsys)
    assert len(out.splitlines()) == 201


def test_a_few_texts_in_a_number_column_are_refused_but_a_mixed_column_is_categorical(tmp_path, capsys):
    nearly = table(tmp_path / "n.csv", size=lambda i, rng: "unknown" if i == 30 else str(i % 17))
    err, _ = fails([*_argv(nearly), "--out", str(tmp_path / "m.skn")], capsys)
    assert f"{nearly}, line 32, column 'size': 'unknown' is not a number, but 199 of the column's 200" in err
    mixed = table(tmp_path / "x.csv", size=lambda i, rng: ["S", "M", "L", "1", "2"][i % 5])  # 40% numbers
    out, _ = run([*_argv(mixed), "--out", str(tmp_path / "m.skn")], capsys)
    assert "  size: categorical, 5 categories one-hot" in out


def test_the_help_names_the_question_mark_and_na_values(capsys):
    for command in ("train", "evaluate", "predict"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "--na-values TEXT [TEXT ...]" in text and "NaN and ?, which UCI data uses" in text


# -- 4. the live line ------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_live_line_fits_a_narrow_terminal_and_the_lines_elsewhere_stay_whole(tmp_path, capsys, monkeypatch):
    data = table(tmp_path / "t.csv")
    screen = Terminal()
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr("sys.stdout", screen)
    assert main([*_argv(data), "--max-iter", "5", "--out", str(tmp_path / "m.skn")]) == 0
    monkeypatch.undo()
    drawn = [part.split("\n")[0] for part in screen.getvalue().split("\r")[1:]]
    assert drawn and all(len(line) <= 79 for line in drawn), max(drawn, key=len)
    last = [line for line in drawn if line.startswith("Epoch 5/5 - ")][-1]
    assert " left - loss " in last and "test accuracy" in last  # the speed and time elapsed gave way first
    monkeypatch.setenv("COLUMNS", "80")
    out, _ = run([*_argv(data), "--max-iter", "5", "--out", str(tmp_path / "m.skn")], capsys)  # not a terminal
    lines = [line for line in out.splitlines() if line.startswith("Epoch ")]
    assert len(lines) == 5 and all("samples/s - " in line and " elapsed, " in line and len(line) > 80
                                   and " - test accuracy " in line for line in lines)


# -- 5. rows without a target ----------------------------------------------------------------------


def test_rows_without_a_target_are_left_out_of_train_and_evaluate_with_a_line(tmp_path, capsys):
    data = table(tmp_path / "t.csv")
    frame = pd.read_csv(data)
    frame.loc[[4, 40, 41, 150], "label"] = np.nan
    frame.to_csv(data, index=False)
    model = str(tmp_path / "m.skn")
    out, _ = run([*_argv(data), "--out", model], capsys)
    assert "Left out 4 rows without a value of 'label'" in out.splitlines()
    assert "held-out accuracy on 40 rows" in out and "on 156 rows" in out  # 196 rows: 20% held out
    out, _ = run(["evaluate", model, data], capsys)
    assert "Left out 4 rows without a value of 'label'" in out and "on 196 rows" in out
    frame["label"] = np.nan
    frame.to_csv(data, index=False)
    err, _ = fails([*_argv(data), "--out", model], capsys)
    assert f"no row of {data} has a value of 'label'" in err


# -- 6. dates ----------------------------------------------------------------------------------------


def _dates(first, second):
    return lambda i, rng: f"{first(i):02d}/{second(i):02d}/2020" if i % 10 else ""


def test_day_month_dates_are_read_in_the_order_a_value_tells_and_predict_reads_them_so(tmp_path, capsys):
    day_first = table(tmp_path / "d.csv", when=_dates(lambda i: 1 + i % 28, lambda i: 1 + i % 12))
    model = str(tmp_path / "m.skn")
    out, _ = run([*_argv(day_first), "--out", model], capsys)
    assert "Date 'when' (read day first, as '13/01/2020' tells): turned into the numeric features when_year, " \
           "when_month, when_day, when_dayofweek" in out
    assert "  when: date, as when_year, when_month, when_day, when_dayofweek (numeric, scaled), 20 missing " \
           "(each part the median, with a missing indicator)" in out
    assert skneural.load(model, with_metadata=True)[1]["date_order"] == {"when": "day first"}
    frame = pd.DataFrame({"x": [0.5, 0.5], "group": ["a", "a"], "when": ["03/01/2020", "25/12/2021"]})
    plan = {"numeric": ["x"], "categorical": ["group"], "dates": ["when"], "date_order": {"when": "day first"}}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Series.dt.dayofweek is deprecated in pandas 3
        X = prepare_features(frame, plan, "f.csv", ",")
    expected = {"when_year": [2020, 2021], "when_month": [1, 12], "when_day": [3, 25],
                "when_dayofweek": [pd.Timestamp(2020, 1, 3).dayofweek, pd.Timestamp(2021, 12, 25).dayofweek]}
    for column, values in expected.items():
        assert X[column].tolist() == values, column
    out, _ = run(["predict", model, str(write_csv(tmp_path / "new.csv", ["x", "group", "when"],
                                                  [["0.5", "a", "03/01/2020"], ["0.5", "a", "01/03/2020"]]))],
                 capsys)
    rows = list(pd.read_csv(io.StringIO(out))["probability_yes"])
    assert rows[0] != rows[1]  # 3 January and 1 March, not one date twice

    month_first = table(tmp_path / "m.csv", when=_dates(lambda i: 1 + i % 12, lambda i: 1 + i % 28))
    out, _ = run([*_argv(month_first), "--out", model], capsys)
    assert "Date 'when' (read month first, as '01/13/2020' tells)" in out
    ambiguous = table(tmp_path / "a.csv", when=_dates(lambda i: 1 + i % 12, lambda i: 1 + i % 12))
    out, _ = run([*_argv(ambiguous), "--out", model], capsys)
    assert ("Left out 'when': dates such as '02/02/2020' could be day or month first (no field above 12 tells "
            "which); write the dates as YYYY-MM-DD to use them") in out
    assert "when" not in skneural.load(model, with_metadata=True)[1]["features"]


def test_the_readme_recipe_for_date_columns_in_python_gives_the_commands_predictions(tmp_path, capsys):
    data = table(tmp_path / "t.csv", first_visit=lambda i, rng: "" if i % 13 == 0 else
                 f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}")
    model, predictions = str(tmp_path / "m.skn"), str(tmp_path / "p.csv")
    run([*_argv(data), "--out", model], capsys)
    run(["predict", model, data, "--out", predictions], capsys)
    frame = pd.read_csv(data)  # as README.md shows
    when = pd.to_datetime(frame["first_visit"], format="ISO8601", utc=True)
    for part, values in {"year": when.dt.year, "month": when.dt.month, "day": when.dt.day,
                         "dayofweek": when.dt.day_of_week}.items():
        frame[f"first_visit_{part}"] = values
    np.testing.assert_array_equal(skneural.load(model).predict_proba(frame)[:, 1],
                                  pd.read_csv(predictions)["probability_yes"])


# -- 7. --loss ---------------------------------------------------------------------------------------


def test_loss_is_refused_for_classification_and_used_for_regression(tmp_path, capsys):
    data = table(tmp_path / "t.csv")
    err, _ = fails([*_argv(data), "--loss", "huber", "--out", str(tmp_path / "m.skn")], capsys)
    assert "--loss is for regression only" in err
    model = str(tmp_path / "r.skn")
    run([*_argv(data), "--target", "x", "--drop", "label", "--loss", "huber", "--out", model], capsys)
    assert skneural.load(model).regressor_[-1].loss == "huber"


# -- 8. predict's output -------------------------------------------------------------------------------


def test_predict_writes_newlines_and_refuses_a_file_that_has_its_columns(tmp_path, capsys):
    data = table(tmp_path / "t.csv")
    model, predictions = str(tmp_path / "m.skn"), str(tmp_path / "p.csv")
    run([*_argv(data), "--out", model], capsys)
    run(["predict", model, data, "--out", predictions], capsys)
    with open(predictions, "rb") as f:
        text = f.read()
    assert b"\r" not in text and text.count(b"\n") == 201
    out, _ = run(["predict", model, data], capsys)
    assert "\r" not in out
    err, _ = fails(["predict", model, predictions, "--out", str(tmp_path / "again.csv")], capsys)
    assert (f"{predictions} already has the columns 'predicted_label', 'probability_no', 'probability_yes' "
            "that predict writes") in err
    assert not (tmp_path / "again.csv").exists()


# -- 9. evaluate --plot without matplotlib ------------------------------------------------------------------


def test_evaluate_plot_without_matplotlib_prints_the_metrics_then_fails(tmp_path, capsys, monkeypatch):
    data = table(tmp_path / "t.csv")
    model = str(tmp_path / "m.skn")
    run([*_argv(data), "--out", model], capsys)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    err, out = fails(["evaluate", model, data, "--plot", str(tmp_path / "figures")], capsys)
    assert "accuracy" in out and "Confusion matrix" in out
    assert "--plot" in err and "matplotlib" in err and "pip install matplotlib" in err
