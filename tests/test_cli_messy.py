"""``skneural train``, ``evaluate`` and ``predict`` on messy CSV files: Windows-1252 and Latin-1 text,
decimal commas, free-text columns; the live line's score of the held-out rows; one-class models."""

import csv
import io
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import r2_score

import skneural
from skneural.cli import build_parser, main
from skneural.cli.columns import prepare_features
from skneural.cli.frames import detect_decimal, read_frame
from skneural.cli.train_command import _split, build_model, read_training_data

from cli_support import fails, run, write_csv

NAMES = ["Zoë", "Renée", "José", "Müller", "Ana", "Bob"]


def people(path, encoding, n=120, extra=""):
    """A CSV file in the given encoding: a name (with accents), a number and a class depending on both."""
    rng = np.random.RandomState(0)
    rows = []
    for i in range(n):
        x = rng.uniform(-1, 1)
        name = NAMES[i % len(NAMES)] + extra
        rows.append([name, f"{x:.3f}", "yes" if (x > 0) != (name[0] in "ZR") else "no"])
    with open(path, "w", newline="", encoding=encoding) as f:
        writer = csv.writer(f)
        writer.writerow(["name", "x", "label"])
        writer.writerows(rows)
    return str(path)


# -- encodings ---------------------------------------------------------------------------------


def test_a_windows_1252_file_is_read_as_such_with_a_note_and_predict_keeps_its_rows(tmp_path, capsys):
    data = people(tmp_path / "cp.csv", "cp1252", extra=" €")  # € is 0x80 in cp1252: not UTF-8
    with pytest.raises(UnicodeDecodeError):
        open(data, encoding="utf-8").read()
    model = str(tmp_path / "m.skn")
    out, _ = run(["train", data, "--target", "label", "--max-iter", "3", "--out", model], capsys)
    note = f"Read {data} as Windows-1252 text: it is not valid UTF-8 (use --encoding to choose)"
    assert out.splitlines()[1] == note
    categories = sorted(f"{name} €" for name in NAMES)
    assert f"  name: categorical, {len(categories)} categories one-hot" in out.splitlines()
    encoder = skneural.load(model)[0].named_transformers_["categorical"][-1]
    assert sorted(encoder.categories_[0]) == categories

    out, _ = run(["train", data, "--target", "label", "--max-iter", "3", "--encoding", "cp1252", "--out", model],
                 capsys)
    assert "Windows-1252" not in out  # chosen, not guessed

    predictions = str(tmp_path / "p.csv")
    _, err = run(["predict", model, data, "--out", predictions], capsys)
    assert err == note + "\n"  # on standard error: standard output may be the predictions
    written = pd.read_csv(predictions, encoding="cp1252", dtype=str)
    given = pd.read_csv(data, encoding="cp1252", dtype=str)
    assert (written[given.columns] == given).all().all()
    out, _ = run(["evaluate", model, data], capsys)
    assert out.splitlines()[0] == note


def test_a_file_windows_1252_cannot_decode_is_read_as_latin_1(tmp_path, capsys):
    data = people(tmp_path / "latin.csv", "latin-1", extra="\x81")  # 0x81: no character in cp1252
    with pytest.raises(UnicodeDecodeError):
        open(data, encoding="cp1252").read()
    out, _ = run(["train", data, "--target", "label", "--max-iter", "2", "--out", str(tmp_path / "m.skn")], capsys)
    assert f"Read {data} as Latin-1 text: it is not valid UTF-8 (use --encoding to choose)" in out.splitlines()


def test_utf_8_is_read_without_a_note_and_encoding_mistakes_are_one_line(tmp_path, capsys):
    data = people(tmp_path / "utf8.csv", "utf-8")
    model = str(tmp_path / "m.skn")
    out, _ = run(["train", data, "--target", "label", "--max-iter", "2", "--out", model], capsys)
    assert " text: it is not valid UTF-8" not in out
    err, _ = fails(["train", data, "--target", "label", "--encoding", "klingon"], capsys)
    assert "--encoding 'klingon' is not an encoding Python knows" in err
    for command in (["predict", model, data], ["evaluate", model, data]):
        assert "'klingon'" in fails([*command, "--encoding", "klingon"], capsys)[0]
    cp = people(tmp_path / "cp.csv", "cp1252")
    err, _ = fails(["train", cp, "--target", "label", "--encoding", "utf-8"], capsys)
    assert f"{cp} is not utf-8 text" in err and "--encoding" in err


def test_a_value_named_in_a_message_is_decoded_as_the_file_is(tmp_path, capsys):
    data = people(tmp_path / "cp.csv", "cp1252")
    model = str(tmp_path / "m.skn")
    run(["train", data, "--target", "label", "--max-iter", "2", "--encoding", "cp1252", "--out", model], capsys)
    with open(data, newline="", encoding="cp1252") as f:
        rows = list(csv.reader(f))
    rows[40][1] = "5 €"
    bad = str(tmp_path / "bad.csv")
    with open(bad, "w", newline="", encoding="cp1252") as f:
        csv.writer(f).writerows(rows)
    err, _ = fails(["predict", model, bad, "--encoding", "cp1252"], capsys)
    assert f"{bad}, line 41, column 'x': '5 €' is not a number" in err


# -- decimal commas ----------------------------------------------------------------------------


def european(path, n=200, thousands=False):
    """A ';'-separated file with decimal commas: a regression target that depends on x and a kind."""
    rng = np.random.RandomState(1)
    x = rng.uniform(0, 3, n)
    kind = rng.choice(["a", "b"], n)
    y = 2 * x + (kind == "a") + 0.05 * rng.randn(n)
    size = rng.uniform(1000, 5000, n)

    def comma(v, digits):
        text = f"{v:.{digits}f}".replace(".", ",")
        if thousands and abs(v) >= 1000:
            whole, frac = text.split(",")
            text = f"{whole[:-3]}.{whole[-3:]},{frac}"
        return text
    rows = [[comma(a, 2), k, comma(s, 1), comma(t, 3)] for a, k, s, t in zip(x, kind, size, y)]
    return write_csv(path, ["x", "kind", "size", "y"], rows, delimiter=";")


def test_decimal_commas_are_detected_and_read_as_numbers_the_same_way_by_every_command(tmp_path, capsys):
    data = european(tmp_path / "eu.csv")
    model = str(tmp_path / "m.skn")
    out, _ = run(["train", data, "--target", "y", "--max-iter", "50", "--hidden", "16", "--out", model], capsys)
    lines = out.splitlines()
    first = pd.read_csv(data, sep=";", dtype=str)["x"][0]
    assert lines[1] == (f"Read numbers with a decimal comma ({first!r} as {first.replace(',', '.')}); "
                        "use --decimal . to keep such values as text")
    assert "  x: numeric, scaled" in lines and "  size: numeric, scaled" in lines
    assert skneural.load(model, with_metadata=True)[1]["numeric"] == ["x", "size"]

    fitted, metadata = skneural.load(model, with_metadata=True)
    plan = {key: metadata[key] for key in ("numeric", "categorical", "dates")}
    frame = pd.read_csv(data, sep=";", decimal=",")
    expected = fitted.predict(prepare_features(frame, plan, data, ";"))
    out, _ = run(["evaluate", model, data], capsys)
    assert out.splitlines()[0].startswith("Read numbers with a decimal comma")
    assert float(out.split("\nR^2")[1].split()[0]) == pytest.approx(r2_score(frame["y"], expected), abs=5e-5)

    out, err = run(["predict", model, data], capsys)
    assert err.startswith("Read numbers with a decimal comma")
    written = pd.read_csv(io.StringIO(out), sep=";", dtype=str)
    given = pd.read_csv(data, sep=";", dtype=str)
    assert (written[given.columns] == given).all().all()  # the rows as they were
    assert written["predicted_y"].str.contains(",").all()  # written as the file's numbers are
    np.testing.assert_array_equal(written["predicted_y"].str.replace(",", ".").astype(float), expected)


def test_decimal_point_keeps_them_text_and_a_model_trained_on_numbers_names_decimal_comma(tmp_path, capsys):
    data = european(tmp_path / "eu.csv")
    err, _ = fails(["train", data, "--target", "kind", "--decimal", "."], capsys)
    note = "numbers with a decimal comma, read as text; read the file with --decimal , to use them"
    assert (f"no feature columns are left besides the target 'kind' (left out: 'x': {note} (--keep x to use "
            f"it as text); 'size': {note} (--keep size to use it as text)") in err, err
    out, _ = run(["train", data, "--target", "kind", "--decimal", ".", "--features", "x", "size", "--max-iter", "2",
                  "--out", str(tmp_path / "text.skn")], capsys)
    assert "decimal comma" not in out
    assert any(line.startswith("  x: categorical") for line in out.splitlines())
    model = str(tmp_path / "m.skn")
    run(["train", data, "--target", "kind", "--decimal", ",", "--max-iter", "2", "--out", model], capsys)
    first = pd.read_csv(data, sep=";", dtype=str)["x"][0]
    for command in ("predict", "evaluate"):
        err, _ = fails([command, model, data, "--decimal", "."], capsys)
        assert f"line 2, column 'x': {first!r} is not a number (it looks like a number with a decimal comma: " \
               "read the file with --decimal ," in err, err
    err, _ = fails(["train", str(tmp_path / "eu.csv"), "--target", "kind", "--decimal", ",", "--sep", ","], capsys)
    assert "--decimal , needs another separator than ','" in err


def test_a_regression_target_with_decimal_commas_read_as_text_names_the_option(tmp_path, capsys):
    data = european(tmp_path / "eu.csv")
    first = pd.read_csv(data, sep=";", dtype=str)["y"][0]
    err, _ = fails(["train", data, "--target", "y", "--task", "regression", "--decimal", "."], capsys)
    assert f"{first!r} is not a number (it looks like a number with a decimal comma: read the file with " \
           "--decimal ,; or use --task classification)" in err, err


def test_thousands_dots_with_decimal_commas_and_what_detection_leaves_alone(tmp_path):
    data = european(tmp_path / "eu.csv", thousands=True)
    frame, sep = read_frame(data)
    text = pd.read_csv(data, sep=";", dtype=str)
    assert sep == ";" and "." in text["size"][0] and frame.attrs["decimal"] == ","
    np.testing.assert_allclose(frame["size"], text["size"].str.replace(".", "").str.replace(",", ".").astype(float))
    lines = ["a;b\n", "1,5;x\n", "2;y\n"]
    assert detect_decimal(lines, ";")[:2] == (",", None)
    assert detect_decimal([*lines, "2.5;z\n"], ";")[0] == "."  # a decimal point: the commas are not decimals
    assert detect_decimal(["a;b\n", "1,5;x\n", "two;y\n"], ";")[0] == "."  # not a column of numbers
    assert detect_decimal(["a,b\n", '"1,5",x\n'], ",")[0] == "."  # a comma-separated file
    assert detect_decimal(["a;b\n", "1,5;x\n", "NA;y\n", ";z\n"], ";")[0] == ","  # missing values aside


# -- free text ---------------------------------------------------------------------------------


def test_free_text_columns_are_left_out_unless_chosen(tmp_path, capsys):
    rng = np.random.RandomState(0)
    n = 300
    x = rng.uniform(-1, 1, n)
    rows = [[f"{v:.3f}", f"T-{rng.randint(0, 400)}",  # ticket: mostly distinct
             "" if i % 3 == 0 else f"comment {rng.randint(0, 10**6)}",  # a third missing, the rest distinct
             f"c{rng.randint(0, 60)}",  # 60 categories in 300 rows: a category column
             f"s{i % 45}",  # 45 values: few enough to keep
             "1" if v > 0 else "0"] for i, v in enumerate(x)]
    data = write_csv(tmp_path / "text.csv", ["x", "Ticket", "Comment", "Shop", "Store", "y"], rows)
    frame = pd.read_csv(data)
    out, _ = run(["train", data, "--target", "y", "--max-iter", "2", "--out", str(tmp_path / "m.skn")], capsys)
    lines = out.splitlines()
    tickets, comments = frame["Ticket"].nunique(), frame["Comment"].nunique()
    assert tickets > n / 2 and comments > frame["Comment"].notna().sum() / 2  # free text by the rule
    assert (f"Left out 'Ticket': free text ({tickets} distinct values in {n} rows) (--keep Ticket to use it)"
            in lines), out
    assert (f"Left out 'Comment': free text ({comments} distinct values in {frame['Comment'].notna().sum()} rows "
            "with a value) (--keep Comment to use it)" in lines), out
    assert any(line.startswith("  Shop: categorical") for line in lines)
    assert any(line.startswith("  Store: categorical") for line in lines)
    out, _ = run(["train", data, "--target", "y", "--features", "x", "Ticket", "--max-iter", "2",
                  "--out", str(tmp_path / "m.skn")], capsys)
    assert "Left out" not in out
    assert any(line.startswith("  Ticket: categorical") and "grouped as 'infrequent'" in line
               for line in out.splitlines())


# -- the live line -----------------------------------------------------------------------------


def _argv(data, *options):
    return ["train", data, "--target", "label", "--hidden", "8", "--max-iter", "6", "--test-size", "0.25",
            *options]


def test_the_live_line_scores_the_held_out_rows_each_epoch_and_changes_nothing(tmp_path, capsys):
    data = people(tmp_path / "p.csv", "utf-8", n=200)
    model = str(tmp_path / "m.skn")
    out, _ = run([*_argv(data), "--out", model], capsys)
    epochs = [line for line in out.splitlines() if line.startswith("Epoch ")]
    assert [line.split(" - ")[0] for line in epochs] == [f"Epoch {k}/6" for k in range(1, 7)]
    assert all(" elapsed, " in line and " left - loss " in line and " - test loss " in line
               and " - test accuracy " in line for line in epochs)
    held_out = float(out.split("held-out accuracy on 50 rows: ")[1].split()[0])
    assert float(epochs[-1].split(" - test accuracy ")[1]) == pytest.approx(held_out, abs=5e-5)

    # the same model as a fit without the held-out rows: the weights are the same
    args = build_parser().parse_args([*_argv(data), "--out", model])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X, y, task, plan, _ = read_training_data(args)
        X_train, _, y_train, _ = _split(X, y, task, args)
        alone = build_model(args, task, plan, len(y_train), progress=False)[0].fit(X_train, y_train)
    capsys.readouterr()
    for a, b in zip(skneural.load(model)[-1].coefs_, alone[-1].coefs_):
        np.testing.assert_array_equal(a, b)


def test_the_live_line_on_a_terminal_and_for_regression_and_early_stopping(tmp_path, capsys, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    data = people(tmp_path / "p.csv", "utf-8", n=200)
    screen = Terminal()
    monkeypatch.setenv("COLUMNS", "200")  # the whole line (test_cli_review.py tests a narrow terminal)
    monkeypatch.setattr("sys.stdout", screen)
    assert main([*_argv(data), "--out", str(tmp_path / "m.skn")]) == 0
    monkeypatch.undo()
    drawn = screen.getvalue().split("\r")
    last = drawn[-1].splitlines()[0]
    assert last.startswith("Epoch 6/6 - ") and " elapsed, 0:00 left - loss " in last and " - test accuracy " in last
    epochs = [line for line in drawn[1:-1] if "/6 [" not in line]  # not the lines drawn during an epoch
    assert [line.split(" - ")[0] for line in epochs] == [f"Epoch {k}/6" for k in range(1, 6)]
    assert all("\n" not in line and " - test accuracy " in line for line in epochs)  # rewritten in place

    out, _ = run([*_argv(data, "--task", "regression", "--target", "x", "--drop", "label"),
                  "--out", str(tmp_path / "r.skn")], capsys)
    last = [line for line in out.splitlines() if line.startswith("Epoch 6/6")][0]
    held_out = float(out.split("held-out R^2 on 50 rows: ")[1].split()[0])
    assert float(last.split(" - test R^2 ")[1]) == pytest.approx(held_out, abs=1e-3)
    out, _ = run([*_argv(data, "--early-stopping"), "--out", str(tmp_path / "e.skn")], capsys)
    assert " - validation accuracy " in out and " test " not in out
    out, _ = run([*_argv(data, "--optimizer", "lbfgs"), "--out", str(tmp_path / "l.skn")], capsys)
    assert "held-out accuracy" in out and " test " not in out


def test_held_out_rows_of_a_class_not_trained_on_are_scored_at_the_end_only(tmp_path, capsys):
    rng = np.random.RandomState(0)
    data = write_csv(tmp_path / "rare.csv", ["x", "y"],
                     [[f"{rng.randn():.3f}", "ab"[i % 2]] for i in range(30)] + [["0.5", "c"]])
    kinds = set()
    for seed in range(8):  # the one 'c' row is held out by some seeds, trained on by others
        out, _ = run(["train", data, "--target", "y", "--max-iter", "2", "--random-state", str(seed),
                      "--out", str(tmp_path / "m.skn")], capsys)
        classes = skneural.load(tmp_path / "m.skn").classes_.tolist()
        epochs = [line for line in out.splitlines() if line.startswith("Epoch ")]
        assert all((" - test accuracy " in line) == ("c" in classes) for line in epochs), out
        assert "held-out accuracy on 7 rows" in out
        kinds.add("c" in classes)
    assert kinds == {True, False}


# -- one-class models --------------------------------------------------------------------------


def test_a_model_fitted_in_python_on_one_class_predicts_it_in_well_formed_rows(tmp_path, capsys):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.standard_normal((40, 2)), columns=["u", "v"])
    model = make_pipeline(StandardScaler(), skneural.NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=5,
                                                                         random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(frame, np.array(["p"] * 40))
    path = str(tmp_path / "one.skn")
    skneural.save(model, path)
    data = str(tmp_path / "rows.csv")
    frame.assign(label="p").to_csv(data, index=False)
    out, _ = run(["predict", path, data], capsys)
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["u", "v", "label", "predicted_value", "probability_p"]
    assert all(len(row) == len(rows[0]) for row in rows) and len(rows) == 41
    assert {row[3] for row in rows[1:]} == set(model.predict(frame)) == {"p"}
    assert {float(row[4]) for row in rows[1:]} == {1.0}
    out, _ = run(["evaluate", path, data, "--target", "label"], capsys)
    assert float(out.split("\naccuracy")[1].split()[0]) == 1.0
    assert "\nROC AUC             not defined" in out
