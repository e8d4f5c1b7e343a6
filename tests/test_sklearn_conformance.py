"""scikit-learn's own MLP tests, run on skneural's estimators.

The installed scikit-learn ships ``sklearn/neural_network/tests/test_mlp.py``.
This module copies it, changes only its import of ``MLPClassifier`` and
``MLPRegressor`` to skneural's classes, and runs it.  The tests that cannot
apply are listed below by name, with the reason; every other test, including
ones a later scikit-learn adds, must pass.
"""

import importlib.util
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

UPSTREAM_IMPORT = "from sklearn.neural_network import MLPClassifier, MLPRegressor"
OUR_IMPORT = "from skneural import NumpyMLPClassifier as MLPClassifier, NumpyMLPRegressor as MLPRegressor"

# test name -> why it cannot apply to skneural
NOT_APPLICABLE = {
    "test_fit": "injects weights through scikit-learn's private _coef_grads, _coef_velocity and "
                "_intercept_velocity before partial_fit; skneural's weights live in one flat vector",
    "test_gradient": "calls scikit-learn's private _loss_grad_lbfgs and _unpack",
    "test_mlp_diverging_loss": "expects a diverged model back (validation_scores_ ending in nan); skneural "
                               "raises its divergence ValueError and leaves the estimator as it was",
}

# scikit-learn's conftest gives its tests this fixture; its default seed is 42
CONFTEST = '''
import os
import pytest


@pytest.fixture(params=[int(os.environ.get("SKLEARN_TESTS_GLOBAL_RANDOM_SEED", "42"))])
def global_random_seed(request):
    return request.param
'''


def upstream_test_file():
    spec = importlib.util.find_spec("sklearn")
    for folder in spec.submodule_search_locations or []:
        path = Path(folder) / "neural_network" / "tests" / "test_mlp.py"
        if path.exists():
            return path
    return None


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    source = upstream_test_file()
    if source is None:
        pytest.skip("this scikit-learn was installed without its tests (sklearn/neural_network/tests)")
    text = source.read_text()
    assert text.count(UPSTREAM_IMPORT) == 1, "scikit-learn's test_mlp.py no longer imports the MLPs in one line"
    folder = tmp_path_factory.mktemp("upstream")
    (folder / "test_mlp_skneural.py").write_text(text.replace(UPSTREAM_IMPORT, OUR_IMPORT))
    (folder / "conftest.py").write_text(CONFTEST)
    report = folder / "report.xml"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
               f"--junitxml={report}", "-W", "ignore", str(folder / "test_mlp_skneural.py")]
    run = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=1200,
                         env=dict(os.environ, PYTHONHASHSEED="0"))
    assert report.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    outcomes = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        problems = [child for child in case if child.tag in ("failure", "error", "skipped")]
        outcome = problems[0].tag if problems else "passed"
        message = (problems[0].get("message") or "")[:500] if problems else ""
        outcomes[case.get("name")] = (outcome, message)
    return outcomes


def _base(name):
    return name.split("[")[0]


def test_upstream_mlp_tests_pass_on_skneural(results):
    assert len(results) > 40  # the whole file ran
    failed = {name: message for name, (outcome, message) in results.items()
              if outcome in ("failure", "error") and _base(name) not in NOT_APPLICABLE}
    assert not failed, "\n".join(f"{name}: {message}" for name, message in failed.items())


def test_what_cannot_apply_still_exists_upstream_and_really_does_not_apply(results):
    names = {_base(name) for name in results}
    for test in NOT_APPLICABLE:
        if test not in names:
            continue  # scikit-learn dropped it: nothing left to excuse
        outcomes = {outcome for name, (outcome, _) in results.items() if _base(name) == test}
        assert outcomes & {"failure", "error"}, f"{test} now passes: remove it from NOT_APPLICABLE"
