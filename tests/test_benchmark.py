import runpy
from pathlib import Path

import numpy as np

BENCHMARK = Path(__file__).resolve().parent.parent / "examples" / "benchmark.py"


def test_benchmark_runs_on_a_tiny_size(tmp_path, capsys):
    main = runpy.run_path(str(BENCHMARK))["main"]
    results = main(["--quick", "--json", str(tmp_path / "results.json")])
    assert (tmp_path / "results.json").exists()
    for dtype in ("float64", "float32"):
        row = results["training"][dtype]
        assert row["skneural_s"] > 0 and row["sklearn_s"] > 0 and row["floor_s"] > 0
        runs = {k: np.array(v) for k, v in row["runs"].items()}
        assert np.isclose(row["vs_sklearn"], np.median(runs["skneural"] / runs["sklearn"]))
        assert row["vs_sklearn_range"][0] <= row["vs_sklearn"] <= row["vs_sklearn_range"][1]
        bound = runs["floor"] + runs["gather"] + runs["adam"]
        assert row["gather_s"] > 0 and row["adam_s"] > 0
        assert np.isclose(row["numpy_bound_s"], np.median(bound))
        assert np.isclose(row["numpy_bound_vs_sklearn"], np.median(bound / runs["sklearn"]))
        assert np.isclose(row["vs_numpy_bound"], np.median(runs["skneural"] / bound))
        if "adam_compiled" in runs:  # numba installed: the bound with the compiled steps too
            compiled = runs["floor"] + runs["gather"] + runs["adam_compiled"]
            assert np.isclose(row["vs_compiled_bound"], np.median(runs["skneural"] / compiled))
    assert results["small_data"]["skneural_accuracy"] > 0.9
    assert results["small_data"]["skneural_epochs"] > 1
    small = results["small_data"]
    assert small["skneural_batch_us"] > 0 and small["sklearn_batch_us"] > 0 and small["floor_batch_us"] > 0
    batches = -(-(1797 - int(np.ceil(0.25 * 1797))) // 200)  # digits' training rows, in batches of 200
    assert np.isclose(small["skneural_batch_us"] * small["skneural_epochs"] * batches, small["skneural_s"] * 1e6)
    grid = results["grid_search"]
    assert grid["fits"] == 24 and grid["skneural_s"] > 0 and grid["sklearn_s"] > 0
    assert 0 < grid["skneural_cv_score"] <= 1 and 0 < grid["sklearn_test_score"] <= 1
    levers = results["levers"]
    assert levers["one_blas_thread_vs_default"] > 0
    assert ("compiled_passes_vs_default" in levers) == results["fused"]["available"]
    assert ("per_layer_steps_vs_one_step" in levers) == results["fused"]["available"]
    assert results["memory"]["skneural_x"] > 0
    assert [r["hidden"] for r in results["scaling"]][-3:] == [64, 256, 1024]
    assert [r["outputs"] for r in results["jacobian"]] == [10, 100]
    out = capsys.readouterr().out
    assert "digits time per batch (us)" in out
    assert "GridSearchCV, 24 fits+refit (s)" in out and "refitted, held-out accuracy" in out
    assert "digits, one BLAS thread / as kept" in out
    assert "train epoch (s), float32" in out and "floor + gathers + Adam (s)" in out
    if results["fused"]["available"]:  # the compiled Adam step (the 'fast' extra) against the NumPy one
        for dtype in ("float64", "float32"):
            row = results["fused"][dtype]
            assert row["steps_compiled"] > 0 and row["epochs_numpy"] > 0 and row["steps_ratio"] > 0
            assert row["first_use_s"] > 0 and row["first_use_cold_s"] > 0
        assert "Adam steps compiled/NumPy, float32" in out
    else:
        assert "Adam compiled: numba is not installed" in out
    if results["torch"]["available"]:
        assert results["torch"]["float32"]["torch_s"] > 0 and "vs PyTorch" in out
    else:
        assert "PyTorch: not installed" in out
