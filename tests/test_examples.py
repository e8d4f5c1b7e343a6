"""Every script in examples/ runs, with a small setting, and does what its docstring says."""

import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def example(name):
    return runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name=name)


TESTED_HERE = {"digits_quickstart", "grid_search", "regression", "custom_components", "network_styles", "plots",
               "schedules", "regularization", "csv_benchmark", "tabular_benchmark", "tabular_ablation"}
TESTED_ELSEWHERE = {"benchmark", "save_load", "out_of_core", "dask_cluster", "tabular_datasets"}  # test_benchmark.py,
# test_persistence.py, test_scale_out.py, test_tabular_datasets.py


def test_every_example_is_smoke_tested_has_a_title_and_is_listed():
    listing = (EXAMPLES / "README.rst").read_text()  # the gallery's header page
    assert {path.stem for path in EXAMPLES.glob("*.py")} == TESTED_HERE | TESTED_ELSEWHERE
    for path in EXAMPLES.glob("*.py"):
        title, underline = runpy.run_path(str(path), run_name="not_main")["__doc__"].splitlines()[:2]
        assert title.strip() and underline == "=" * len(title), path  # the gallery page's title
        assert f"``{path.name}``" in listing, path.name


def test_digits_quickstart(capsys):
    accuracy = example("digits_quickstart")["main"](max_iter=30)
    out = capsys.readouterr().out
    assert accuracy > 0.9 and "held-out accuracy" in out and "macro avg" in out


def test_grid_search_tunes_names_objects_and_nested_learning_rates(capsys):
    search, scores = example("grid_search")["main"](max_iter=3, cv=2, n_samples=300)
    tried = search.cv_results_["params"]
    assert len(tried) == 2 * 2 * 2 + 2 + 2
    assert {type(p["mlp__optimizer"]).__name__ for p in tried} >= {"str", "Adam", "SGD"}
    assert {p.get("mlp__optimizer__learning_rate") for p in tried} >= {0.001, 0.01, 0.1}
    assert len(scores) == 2
    out = capsys.readouterr().out
    assert "optimizer__learning_rate=0.01" in out and "cross_val_score" in out


def test_regression_single_and_multi_output(capsys):
    results = example("regression")["main"](max_iter=200)
    assert {data for data, _ in results} == {"diabetes (1 output)", "digit halves (32 outputs)"}
    assert results["diabetes (1 output)", "NumpyMLPRegressor"] > 0.3
    assert results["digit halves (32 outputs)", "NumpyMLPRegressor"] > 0.1
    assert "MLPRegressor (scikit-learn)" in capsys.readouterr().out


def test_custom_components_train_and_pass_the_gradient_check():
    results = example("custom_components")["main"](max_iter=30)
    for name, row in results.items():
        assert row["gradient_error"] < 1e-6, name
    assert results["swish + AdamW"]["accuracy"] > 0.9
    assert results["relu + sparsemax output, mse"]["accuracy"] > 0.9
    assert 0.8 < results["quantile"]["covered"] < 0.97


def test_custom_optimizers_follow_their_update_rules():
    module = example("custom_components")
    rng = np.random.RandomState(0)
    p, g = rng.randn(50), rng.randn(50)
    adamw = module["AdamW"](learning_rate=0.1, weight_decay=0.5)
    new = adamw.update(p.copy(), g)
    # first step: m_hat = g, v_hat = g**2, so the Adam part moves each weight by lr * sign(g)
    expected = p * (1 - 0.1 * 0.5) - 0.1 * g / (np.abs(g) + 1e-8)
    np.testing.assert_allclose(new, expected, rtol=1e-6)
    lion = module["Lion"](learning_rate=0.1, weight_decay=0.0)
    np.testing.assert_allclose(lion.update(p.copy(), g), p - 0.1 * np.sign(g))


def test_sparsemax_is_a_projection_onto_the_simplex_with_exact_jacobians():
    from conftest import numeric_jacobian

    sparsemax = example("custom_components")["Sparsemax"]()
    z = np.random.RandomState(1).randn(30, 6) * 2
    p = sparsemax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1)
    assert (p >= 0).all() and (p == 0).any()
    # the closest point of the simplex: no other distribution is nearer to z
    others = np.random.RandomState(2).dirichlet(np.ones(6), size=(200, 30))
    assert (np.sum((others - z) ** 2, axis=2) >= np.sum((p - z) ** 2, axis=1) - 1e-12).all()
    np.testing.assert_allclose(sparsemax.derivative(z), numeric_jacobian(sparsemax, z), atol=1e-6)


def test_network_styles_on_digits():
    sizes_style, layer_list_style = example("network_styles")["main"](epochs=6)
    assert sizes_style > 0.9 and layer_list_style > 0.65


def test_plots_write_two_pngs(tmp_path):
    pytest.importorskip("matplotlib")
    paths = example("plots")["main"](max_iter=5, out_dir=str(tmp_path), alphas=(1e-4, 1.0), cv=2)
    for path in paths.values():
        assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_schedules_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    paths, rows = example("schedules")["main"](epochs=4, out_dir=str(tmp_path))
    assert Path(paths["schedules"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    lrs = {row["schedule"]: row["lrs"] for row in rows}
    assert set(lrs) == {"constant", "invscaling", "adaptive", "step_decay", "cosine_annealing", "one_cycle"}
    assert all(len(rates) == 4 for rates in lrs.values())
    assert lrs["constant"] == [0.05] * 4
    assert not np.allclose(lrs["cosine_annealing"], lrs["constant"])  # the schedule acted
    assert all(np.isfinite(row["final_loss"]) and 0 <= row["accuracy"] <= 1 for row in rows)


def test_regularization_writes_a_png_of_both_curves(tmp_path):
    pytest.importorskip("matplotlib")
    paths, rows = example("regularization")["main"](epochs=8, out_dir=str(tmp_path))
    assert Path(paths["regularization"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = {row["setting"]: row for row in rows}
    assert len(rows) == 4
    for row in rows.values():
        assert len(row["loss"]) == len(row["val_loss"]) == 8
        assert np.isfinite(row["loss"] + row["val_loss"]).all() and 0 <= row["accuracy"] <= 1
    # dropout keeps the network from fitting its training rows as fast
    assert rows["dropout=0.5"]["loss"][-1] > rows["no regularization"]["loss"][-1]
    assert rows["weight decay (AdamW, 1.0)"]["val_loss"] != rows["no regularization"]["val_loss"]


def test_plots_say_how_to_get_matplotlib(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    assert example("plots")["main"]() is None
    assert 'pip install -e ".[examples]"' in capsys.readouterr().out


def test_demo_command_runs():
    result = subprocess.run([sys.executable, "-m", "skneural"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    accuracy = float(result.stdout.strip().splitlines()[-1].split(":")[1].strip().rstrip("%"))
    assert accuracy > 90


@pytest.mark.skipif(not hasattr(__import__("os"), "wait4"), reason="needs os.wait4 (POSIX)")
def test_csv_benchmark_trains_on_the_file_it_writes(capsys):
    figures = example("csv_benchmark")["main"](rows=3000)
    out = capsys.readouterr().out
    assert "3,000 rows x 30 columns" in out and "peak / file size" in out
    assert figures["peak_bytes"] >= figures["baseline_bytes"] > 0 and figures["seconds"] > 0


def test_tabular_benchmark_scores_every_model_on_the_same_folds(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    module = example("tabular_benchmark")
    for name in module["QUICK_DATASETS"]:
        pytest.importorskip(module["DATASETS"][name].source)
    pd = pytest.importorskip("pandas")
    results = module["main"](quick=True, out_dir=str(tmp_path))
    assert (tmp_path / "tabular_benchmark.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = pd.read_csv(tmp_path / "tabular_benchmark.csv")
    assert np.allclose(saved["score"], results["score"]) and len(saved) == len(results)
    markdown = (tmp_path / "tabular_benchmark.md").read_text().splitlines()
    means = results.groupby(["model", "dataset"])["score"].mean().groupby("model").mean()
    assert markdown[-1].startswith("| **mean** |") and f"**{means['TabularMLP']:.3f}**" in markdown[-1]
    assert len(markdown) == 2 + len(module["QUICK_DATASETS"]) + 1
    models, datasets = set(module["MODELS"]), set(module["QUICK_DATASETS"])
    assert set(results["dataset"]) == datasets and set(results["task"]) == {"binary", "multiclass", "regression"}
    counts = results.groupby(["dataset", "model"]).size()
    assert len(counts) == len(models) * len(datasets) and (counts == 2).all()  # every model, every dataset, 2 folds
    assert np.isfinite(results["score"]).all() and (results["fit_time"] > 0).all()
    auc = results[results["task"] != "regression"]["score"]
    assert auc.between(0, 1).all() and (results[results["task"] == "regression"]["score"] <= 1).all()
    for (dataset, fold), group in results.groupby(["dataset", "fold"]):
        assert group["test_indices"].nunique() == 1, (dataset, fold)  # identical folds for every model
    for dataset, group in results[results["model"] == "NumpyMLP"].groupby("dataset"):
        tested = np.concatenate([np.asarray(t) for t in group["test_indices"]])
        assert np.array_equal(np.sort(tested), np.arange(group["rows"].iloc[0])), dataset  # the folds cover each row once
    out = capsys.readouterr().out
    assert "NumpyMLP leads sklearn MLP on" in out and "difference to HistGradientBoosting" in out
    assert module["fit_time"](rows=300, columns=10) > 0
    assert "fit on 300 rows x 10 columns" in capsys.readouterr().out
    subset = module["main"](datasets=["carseats"], models=["NumpyMLP", "linear"], quick=True, out_dir=str(tmp_path))
    assert set(subset["model"]) == {"NumpyMLP", "linear"} and set(subset["dataset"]) == {"carseats"}


def test_tabular_benchmark_paired_gaps_tell_a_lead_from_fold_noise(tmp_path, capsys):
    from scipy import stats
    module = example("tabular_benchmark")
    rng = np.random.RandomState(0)
    base = rng.uniform(0.5, 0.9, size=5)
    shifts = {"ahead": 0.05 + rng.normal(0, 0.005, 5), "behind": -0.05 + rng.normal(0, 0.005, 5),
              "noisy": np.array([0.1, -0.1, 0.08, -0.06, 0.01]), "barely": 0.01 + rng.normal(0, 0.02, 5)}
    rows = [{"dataset": name, "task": "binary", "rows": 100, "model": model, "fold": fold, "score": score,
             "fit_time": 1.0}
            for name, shift in shifts.items() for fold in range(5)
            for model, score in (("TabularMLP", base[fold] + shift[fold]), ("sklearn MLP", base[fold]))]
    results = pd.DataFrame(rows)
    gaps = module["paired_gaps"](results, "TabularMLP", "sklearn MLP")
    for name, shift in shifts.items():
        assert np.isclose(gaps.loc[name, "mean"], shift.mean())
        p_value = stats.ttest_rel(base + shift, base).pvalue  # scipy's paired t-test, independently
        expected = "within noise" if p_value >= 0.05 else ("ahead" if shift.mean() > 0 else "behind")
        assert gaps.loc[name, "verdict"] == expected, name
    assert list(gaps.loc[["ahead", "behind", "noisy"], "verdict"]) == ["ahead", "behind", "within noise"]
    path = tmp_path / "results.csv"
    results.to_csv(path, index=False)
    module["report"](path)  # a finished run's report printed again from its CSV
    counts = gaps["verdict"].value_counts()
    behind = ", ".join(gaps.index[gaps["verdict"] == "behind"])
    assert (f"ahead on {counts['ahead']}, behind on {counts['behind']} ({behind}), within noise on "
            f"{counts['within noise']}") in capsys.readouterr().out


def test_tabular_ablation_scores_each_variant_on_held_out_training_rows(capsys, tmp_path):
    module = example("tabular_ablation")
    for name in module["QUICK"]["datasets"]:
        pytest.importorskip(module["DATASETS"][name].source)
    results = module["main"](quick=True, outer=True, out_dir=tmp_path)
    written = pd.read_csv(tmp_path / "ablation.csv")
    pd.testing.assert_frame_equal(written, results.reset_index(drop=True), check_dtype=False)
    assert module["report"](results) in (tmp_path / "ablation.md").read_text()
    variants, datasets = set(module["QUICK"]["variants"]), set(module["QUICK"]["datasets"])
    assert set(results["variant"]) == variants and set(results["dataset"]) == datasets
    assert len(results) == len(variants) * len(datasets) * module["QUICK"]["n_folds"]
    assert np.isfinite(results[["inner", "outer", "fit_time"]].to_numpy()).all()
    out = capsys.readouterr().out
    for column in ("inner", "outer"):
        assert f"{column} scores (2 datasets): change from the defaults" in out
    scores = results.pivot_table(index="dataset", columns="variant", values="inner")
    change = (scores["no numeric embedding"] - scores["defaults"]).mean()
    assert f"no numeric embedding      {change:+.4f}" in out  # the printed change is the scores' difference
    with pytest.raises(SystemExit, match="unknown name"):
        module["main"](variants=["no such variant"])
