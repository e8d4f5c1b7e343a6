import runpy
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parent.parent / "examples" / "benchmark.py"


def test_benchmark_runs_on_a_tiny_size(tmp_path, capsys):
    main = runpy.run_path(str(BENCHMARK))["main"]
    results = main(["--quick", "--json", str(tmp_path / "results.json")])
    assert (tmp_path / "results.json").exists()
    for dtype in ("float64", "float32"):
        row = results["training"][dtype]
        assert row["skneural_s"] > 0 and row["sklearn_s"] > 0 and row["floor_s"] > 0
        assert row["vs_sklearn"] == row["skneural_s"] / row["sklearn_s"]
    assert results["small_data"]["skneural_accuracy"] > 0.9
    assert results["memory"]["skneural_x"] > 0
    assert [r["hidden"] for r in results["scaling"]][-3:] == [64, 256, 1024]
    assert [r["outputs"] for r in results["jacobian"]] == [10, 100]
    out = capsys.readouterr().out
    assert "train epoch (s), float32" in out
    if results["torch"]["available"]:
        assert results["torch"]["float32"]["torch_s"] > 0 and "vs PyTorch" in out
    else:
        assert "PyTorch: not installed" in out
