"""Model files as an attacker would write them: each finding of the review that made the
format data-only has its test here, and the hypothesis battery of mutants runs from here."""

import json
import os
import signal
import stat
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_regression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import NumpyMLPClassifier, NumpyMLPRegressor, load, save

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture
def saved(tmp_path, iris):
    X, y = iris
    path = tmp_path / "model.skn"
    NumpyMLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(X, y).save(path)
    return path


def read_model_file(path):
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    return json.loads(str(arrays.pop("__skneural__"))), arrays


def write_model_file(path, document, arrays, compression=zipfile.ZIP_STORED):
    with open(path, "wb") as f:
        np.savez(f, **arrays, __skneural__=np.array(json.dumps(document)))
    if compression != zipfile.ZIP_STORED:
        with zipfile.ZipFile(path) as z:
            members = {n: z.read(n) for n in z.namelist()}
        with zipfile.ZipFile(path, "w", compression=compression) as z:
            for name, data in members.items():
                z.writestr(name, data)


def edit_model_file(path, edit_document=None, edit_arrays=None):
    document, arrays = read_model_file(path)
    if edit_document:
        edit_document(document["model"])
    if edit_arrays:
        edit_arrays(document["model"], arrays)
    write_model_file(path, document, arrays)


def network_of(model_entry):
    return model_entry["fitted"]["network"]


def array_key(entry):
    return entry["array"]


def refused(path, match, **kwargs):
    with pytest.raises(ValueError, match=match) as error:
        load(path, **kwargs)
    assert str(path) in str(error.value)
    return error.value


# -- code from a file --------------------------------------------------------------------------


@pytest.mark.parametrize("gadget, match", [
    ({"method": "fit", "of": {"class": "Pipeline", "params": {"dict": [["memory", "CACHE"]]}}},
     "hidden_activation is not a component"),
    ({"component": "Pipeline", "params": {"memory": "CACHE"}}, "names an unknown component 'Pipeline'"),
    ({"component": "ReLU", "params": {}, "state": {"__call__": 1}}, "has unexpected fields"),
    ({"wrapped": "activation", "object": {"component": "ReLU", "params": {}}}, "names 'None'|lacks"),
    ({"pair": "activation", "function": {"custom": "fit"}, "derivative": {"custom": "fit"}}, "custom_objects"),
])
def test_no_field_can_designate_code_that_prediction_would_run(gadget, match, saved, tmp_path, iris):
    cache = tmp_path / "cache"
    gadget = json.loads(json.dumps(gadget).replace("CACHE", str(cache)))
    edit_model_file(saved, lambda m: network_of(m).update(hidden_activation=gadget))
    with pytest.raises(ValueError, match=match):
        load(saved)
    assert not cache.exists()


def test_a_pipeline_cannot_bring_a_cache_folder(tmp_path, iris):
    X, y = iris
    path, cache = tmp_path / "model.skn", tmp_path / "cache"
    save(make_pipeline(StandardScaler(), NumpyMLPClassifier(hidden_layer_sizes=(3,), max_iter=2)).fit(X, y), path)
    edit_model_file(path, lambda m: m.update(memory=str(cache)))
    refused(path, r"model has unexpected fields \['memory'\]")
    assert not cache.exists()
    with pytest.raises(TypeError, match="a Pipeline with memory"):
        save(make_pipeline(StandardScaler(), NumpyMLPClassifier(max_iter=2), memory=str(tmp_path / "own")).fit(X, y),
             tmp_path / "other.skn")


def test_a_format_1_file_with_the_gadget_is_refused_before_anything_is_built(saved):
    document, arrays = read_model_file(saved)
    document["version"] = 1
    document["model"] = {"method": "fit", "of": {"class": "Pipeline", "params": {"dict": [["memory", "/tmp"]]}}}
    write_model_file(saved, document, arrays)
    refused(saved, "model is a format-1 'method' entry|model is not a model")


# -- allocation --------------------------------------------------------------------------------


def _peak_while(call):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        call()
    finally:
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, elapsed


def test_declared_layer_sizes_are_checked_against_the_stored_parameters_before_anything_is_built(saved, iris):
    edit_model_file(saved, lambda m: (network_of(m).update(sizes=[30000, 30000, 3]),
                                      m["params"].update(hidden_layer_sizes={"tuple": [30000]})))
    assert os.path.getsize(saved) < 30_000

    def attempt():
        refused(saved, r"params has shape \(43,\): expected shape \(900120003,\)")

    peak, _ = _peak_while(attempt)
    assert peak < 2 * 2**20


def test_an_array_header_declaring_more_than_the_file_holds_is_refused_unread(saved):
    with zipfile.ZipFile(saved) as z:
        members = {n: z.read(n) for n in z.namelist()}
    import io

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (43,)})
    forged = header.getvalue() + np.zeros(2).tobytes()  # 43 values declared, 2 stored
    members["a1.npy"] = forged
    with zipfile.ZipFile(saved, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    peak, _ = _peak_while(lambda: refused(saved, "does not hold the 344 bytes its header declares"))
    assert peak < 2**20


def test_a_deflated_3_gb_member_is_refused_without_being_decompressed(saved, tmp_path):
    document, arrays = read_model_file(saved)
    write_model_file(saved, document, arrays)
    with zipfile.ZipFile(saved, "a") as z:
        info = zipfile.ZipInfo(f"a{len(arrays)}.npy")
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as f:
            chunk = bytes(64 * 2**20)
            for _ in range(48):  # 3 GiB of zeros, a few MB on disk
                f.write(chunk)
    assert os.path.getsize(saved) < 20 * 2**20
    peak, _ = _peak_while(lambda: refused(saved, "is compressed; save stores members as they are"))
    assert peak < 2**20


def test_a_file_of_100000_tiny_members_is_refused_from_its_end_record(tmp_path):
    path = tmp_path / "many.skn"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(100_000):
            z.writestr(f"a{i}.npy", b"")
    peak, _ = _peak_while(lambda: refused(path, "its zip directory lists 100000 members"))
    assert peak < 2**20


def test_a_2_gb_npy_file_is_recognised_from_its_first_bytes(tmp_path):
    path = tmp_path / "big.npy"
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "<f8", "fortran_order": False, "shape": (2**28,)})
        f.truncate(2**31)  # sparse: no disk space used
    peak, _ = _peak_while(lambda: refused(path, "it holds a single array, not a model"))
    assert peak < 2**20


def test_members_the_description_never_uses_are_refused_unread(saved):
    document, arrays = read_model_file(saved)
    write_model_file(saved, document, dict(arrays, **{f"a{len(arrays)}": np.zeros(10)}))
    refused(saved, f"it holds arrays it never uses .a{len(arrays)}.")


# -- values ------------------------------------------------------------------------------------


def _set_params_array(transform):
    def edit(model, arrays):
        key = array_key(network_of(model)["params"])
        arrays[key] = transform(arrays[key])
    return edit


def _poke(value):
    def transform(a):
        a = a.copy()
        a[3] = value
        return a
    return transform


@pytest.mark.parametrize("transform, match", [
    (_poke(np.nan), "network.params holds non-finite values"),
    (_poke(np.inf), "network.params holds non-finite values"),
    (lambda a: a.astype(np.complex128), "network.params has dtype complex128"),
    (lambda a: a.astype(np.int64), "network.params has dtype int64"),
    (lambda a: a > 0, "network.params has dtype bool"),
    (lambda a: a.astype(str), "network.params has dtype <U"),
    (lambda a: a.astype("datetime64[s]"), "network.params has dtype datetime64"),
    (lambda a: a.astype(np.float16), "expected float32 or float64"),
    (lambda a: a[:-1], r"network.params has shape \(42,\): expected shape \(43,\)"),
    (lambda a: a.reshape(1, -1), r"network.params has shape \(1, 43\)"),
    (lambda a: a * 1e300, "make its outputs overflow for inputs in the range it declares"),
])
def test_parameters_are_finite_floats_of_the_declared_shape(transform, match, saved):
    edit_model_file(saved, edit_arrays=_set_params_array(transform))
    refused(saved, match)


def _set_classes(values):
    def edit(model, arrays):
        arrays[array_key(model["fitted"]["classes_"])] = np.asarray(values)
    return edit


@pytest.mark.parametrize("edit, match", [
    (_set_classes([0.0, np.nan, 2.0]), "classes_ holds non-finite values"),
    (_set_classes([0, 1, 2, 3]), r"classes_ has shape \(4,\): not the outputs' classes"),
    (_set_classes([2, 1, 0]), "classes_ is not sorted and unique"),
    (_set_classes([0, 1]), r"classes_ \(2, multiclass\) do not match the network's 3 outputs"),
])
def test_classes_must_match_the_output_layer(edit, match, saved):
    edit_model_file(saved, edit_arrays=edit)
    refused(saved, match)


@pytest.mark.parametrize("edit, match", [
    (lambda m: m["fitted"].update(n_features_in_=5), "do not match n_features_in_ .5."),
    (lambda m: m.update(estimator="NumpyMLPRegressor"), "settings NumpyMLPRegressor does not take: \\['class_weight', 'label_smoothing'\\]"),
    (lambda m: m["params"].update(activation="tanh"), "components .* are not those the parameters name"),
    (lambda m: m["params"].update(optimizer="sgd"), "components .* are not those the parameters name"),
    (lambda m: m["params"].update(hidden_layer_sizes={"tuple": [6]}), "do not match .* hidden_layer_sizes"),
    (lambda m: m["params"].update(alpha=-1.0), "'alpha' parameter of NumpyMLPClassifier must be"),
    (lambda m: m["params"].update(learning_rate_init=float("nan")), "is not a finite number"),
    (lambda m: m["fitted"].update(n_iter_=-3), "n_iter_ is not an integer >= 0"),
    (lambda m: m["fitted"].update(loss_=[1]), "loss_ is not a finite number"),
    (lambda m: m["fitted"].update(target_type="continuous"), "target_type is not one of"),
    (lambda m: network_of(m)["optimizer"]["params"].update(beta_1=2.0),
     r"parameter of Adam must be a float in the range \[0, 1\)\. Got 2.0 instead"),
    (lambda m: network_of(m)["optimizer"]["state"].update(t_=-1), "t_ is not a count"),
    (lambda m: network_of(m).update(alpha=float("inf")), "alpha is not a finite number"),
])
def test_fitted_attributes_are_checked_against_each_other(edit, match, saved):
    edit_model_file(saved, edit)
    refused(saved, match)


def test_optimizer_state_is_checked(saved):
    def negative(model, arrays):
        key = array_key(network_of(model)["optimizer"]["state"]["v_"])
        arrays[key] = -np.ones_like(arrays[key])

    edit_model_file(saved, edit_arrays=negative)
    refused(saved, "optimizer.state.v_ holds negative values")


def test_a_classifier_file_relabelled_as_a_regressor_is_refused(saved):
    def relabel(m):
        m["estimator"] = "NumpyMLPRegressor"
        m["params"].pop("class_weight")
        m["params"].pop("label_smoothing")
        for name in ("classes_", "target_type", "sparse_labels"):
            m["fitted"].pop(name)

    def drop_classes(m, arrays):
        arrays.pop(array_key(m["fitted"]["classes_"]))

    edit_model_file(saved, edit_arrays=drop_classes)
    edit_model_file(saved, relabel)
    refused(saved, "Invalid 'loss' parameter of NumpyMLPRegressor: Unknown loss 'auto'")


def test_feature_names_must_match_the_first_layer(tmp_path):
    pd = pytest.importorskip("pandas")
    X, y = load_iris(return_X_y=True, as_frame=True)
    path = tmp_path / "model.skn"
    NumpyMLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, y).save(path)

    def shorten(model, arrays):
        key = array_key(model["fitted"]["feature_names_in_"])
        arrays[key] = arrays[key][:3]

    edit_model_file(path, edit_arrays=shorten)
    refused(path, r"feature_names_in_ has shape \(3,\): expected shape \(4,\)")
    assert pd is not None


# -- files that are not files ----------------------------------------------------------------


def test_a_fifo_is_refused_at_once_instead_of_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "model.skn"
    os.mkfifo(fifo)
    signal.alarm(10)  # a hang fails the test instead of the suite
    try:
        refused(fifo, "it is not a regular file")
        refused(tmp_path, "it is a folder")
    finally:
        signal.alarm(0)


# -- saving -------------------------------------------------------------------------------------


def test_save_errors_name_the_target_not_a_temporary_file(tmp_path, iris):
    X, y = iris
    model = NumpyMLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, y)
    (tmp_path / "folder.skn").mkdir()
    with pytest.raises(IsADirectoryError) as error:
        model.save(tmp_path / "folder.skn")
    assert error.value.filename == str(tmp_path / "folder.skn")
    with pytest.raises(FileNotFoundError) as error:
        model.save(tmp_path / "missing" / "model.skn")
    assert error.value.filename == str(tmp_path / "missing" / "model.skn")
    with pytest.raises(OSError) as error:
        model.save("/proc/model.skn")  # no file can be made there, not even by root
    assert error.value.filename == "/proc/model.skn" and ".skn-partial" not in str(error.value)
    assert sorted(os.listdir(tmp_path)) == ["folder.skn"]


def test_resaving_keeps_the_permission_bits_of_the_file_it_replaces(saved, iris):
    X, y = iris
    os.chmod(saved, 0o600)
    NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=1).fit(X, y).save(saved)
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600
    os.chmod(saved, 0o640)
    NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=1).fit(X, y).save(saved)
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o640


_KILLED_SAVE = """
import sys, time
import numpy as np
from sklearn.datasets import load_iris
from skneural import NumpyMLPClassifier
X, y = load_iris(return_X_y=True)
model = NumpyMLPClassifier(hidden_layer_sizes=(3,), max_iter=2).fit(X, y)
real = np.savez
def slow(f, **arrays):
    real(f, **arrays)
    print("writing", flush=True)
    time.sleep(60)
np.savez = slow
model.save(sys.argv[1])
"""


def test_a_save_killed_midway_leaves_the_target_intact_and_the_next_save_cleans_up(saved, iris):
    before = saved.read_bytes()
    process = subprocess.Popen([sys.executable, "-c", _KILLED_SAVE, str(saved)], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout.readline().strip() == "writing"
    finally:
        process.kill()
        process.wait()
    leftovers = [n for n in os.listdir(saved.parent) if n != saved.name]
    assert len(leftovers) == 1 and leftovers[0].startswith(".model.skn.")
    assert saved.read_bytes() == before  # the target was never torn
    X, y = iris
    NumpyMLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, y).save(saved)
    assert os.listdir(saved.parent) == [saved.name]


def test_a_temporary_file_another_save_is_writing_is_left_alone(saved, iris):
    import fcntl

    busy = saved.parent / ".model.skn.abcd1234.skn-partial"
    busy.write_bytes(b"being written")
    with open(busy, "rb") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        X, y = iris
        NumpyMLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, y).save(saved)
        assert busy.exists()
    NumpyMLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, y).save(saved)
    assert not busy.exists()


def test_save_refuses_what_load_would_refuse(tmp_path, iris):
    X, y = iris
    model = NumpyMLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="description takes .* characters, over the"):
        model.save(tmp_path / "m.skn", metadata={"notes": "x" * (5 * 2**20)})
    with pytest.raises(TypeError, match="an invalid parameter .The 'alpha' parameter"):
        NumpyMLPRegressor(alpha=float("nan")).save(tmp_path / "m.skn")
    with pytest.raises(TypeError, match="an invalid parameter .The 'random_state' parameter"):
        NumpyMLPRegressor(random_state="foo").save(tmp_path / "m.skn")
    assert os.listdir(tmp_path) == []


def test_regressors_and_pipelines_survive_the_checks(tmp_path):
    X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    model = make_pipeline(StandardScaler(), NumpyMLPRegressor(loss="poisson", hidden_layer_sizes=(4,),
                                                             max_iter=3, random_state=0))
    model.fit(X, np.abs(y))
    save(model, tmp_path / "m.skn")
    np.testing.assert_array_equal(load(tmp_path / "m.skn").predict(X), model.predict(X))


# -- the battery -----------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(signal, "SIGALRM") or sys.platform != "linux", reason="needs Linux's limits")
def test_hypothesis_battery_of_mutated_model_files():
    result = subprocess.run([sys.executable, str(HERE / "model_file_mutants.py"), "--examples", "400"],
                            capture_output=True, text=True, timeout=600)
    lines = result.stdout.strip().splitlines()
    assert lines, result.stderr[-3000:]
    record = json.loads(lines[-1])
    assert record["failures"] == [] and result.returncode == 0
    assert record["mutants"] >= 400 and record["refused"] > 0 and record["loaded"] > 0


# -- what an independent review found ----------------------------------------------------------


def test_a_file_of_300000_one_unit_layers_is_refused_before_any_is_built(saved):
    sizes = [4] + [1] * 300_000 + [3]
    edit_model_file(saved, lambda m: (network_of(m).update(sizes=sizes),
                                      m["params"].update(hidden_layer_sizes={"tuple": sizes[1:-1]})))
    peak, _ = _peak_while(lambda: refused(saved, "hidden_layer_sizes lists more than 1000 layers"))
    assert peak < 4 * os.path.getsize(saved)  # parsing the description the file really holds, no more
    edit_model_file(saved, lambda m: m["params"].update(hidden_layer_sizes={"tuple": [5]}))
    refused(saved, "sizes is not a list of 2 to 1001 positive layer sizes")


def test_early_stopping_state_cannot_plant_weights_for_a_later_fit(tmp_path, iris):
    X, y = iris
    path = tmp_path / "model.skn"
    NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=5, early_stopping=True, random_state=0).fit(X, y).save(path)
    document, _ = read_model_file(path)
    assert "_best_params" not in document["model"]["fitted"]  # derived at load: the loaded weights
    edit_model_file(path, lambda m: m["fitted"].update(best_validation_score_=1.0))
    refused(path, "best_validation_score_ is not the best of validation_scores_")


@pytest.mark.parametrize("edit, match", [
    # the rate is state that schedules move: any positive one loads, if the next step keeps outputs finite
    (lambda m: network_of(m)["optimizer"]["params"].update(learning_rate=1e300), "make its outputs overflow"),
    (lambda m: network_of(m)["optimizer"]["params"].update(learning_rate=0.0), "learning_rate"),
    (lambda m: network_of(m)["optimizer"]["state"].update(t_=10**400), "t_ is not a count"),
    (lambda m: m["fitted"].update(t_=2**80), r"t_ is not an integer >= 0 \(and at most 2\*\*53\)"),
    (lambda m: m["fitted"]["optimizer_settings"]["settings"].update(beta_1=0.5),
     "not the 0.5 it was built with"),
])
def test_the_optimizer_training_goes_on_with_is_checked(edit, match, saved):
    edit_model_file(saved, edit)
    refused(saved, match)


def test_optimizer_state_that_would_throw_the_next_step_off_is_refused(saved):
    def explode(model, arrays):
        state = network_of(model)["optimizer"]["state"]
        arrays[array_key(state["m_"])] = np.full_like(arrays[array_key(state["m_"])], 1e300)
        arrays[array_key(state["v_"])] = np.zeros_like(arrays[array_key(state["v_"])])

    edit_model_file(saved, edit_arrays=explode)
    refused(saved, "make its outputs overflow")


def _scaled(tmp_path, iris, *steps):
    X, y = iris
    path = tmp_path / "model.skn"
    save(make_pipeline(*steps, NumpyMLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0)).fit(X, y),
         path)
    return path


def test_every_scaler_is_checked_also_before_a_normalizer(tmp_path, iris):
    from sklearn.preprocessing import Normalizer

    path = _scaled(tmp_path, iris, StandardScaler(), Normalizer())

    def huge_scale(model, arrays):  # inputs in the range this declares overflow: 10 * 1e308
        arrays[array_key(model["pipeline"][0][1]["fitted"]["scale_"])] = np.full(4, 1e308)

    edit_model_file(path, edit_arrays=huge_scale)
    refused(path, "make its outputs overflow")
    path = _scaled(tmp_path, iris, StandardScaler(), Normalizer())

    def no_mean(model, arrays):
        arrays.pop(array_key(model["pipeline"][0][1]["fitted"]["mean_"]))
        model["pipeline"][0][1]["fitted"]["mean_"] = None

    edit_model_file(path, edit_arrays=no_mean)
    refused(path, "mean_ must be there with these settings")


def test_scaler_settings_a_later_fit_could_not_use_are_refused(tmp_path, iris):
    from sklearn.preprocessing import MinMaxScaler

    path = _scaled(tmp_path, iris, MinMaxScaler())
    edit_model_file(path, lambda m: m["pipeline"][0][1]["params"].update(feature_range={"tuple": [-1e308, 1e308]}))
    refused(path, "MinMaxScaler's setting 'feature_range' is not valid")


@pytest.mark.parametrize("edit, match", [
    (lambda m: m["params"].update(random_state="foo"), "'random_state' parameter of NumpyMLPClassifier must be"),
    (lambda m: m["params"].update(random_state=2**40), "'random_state' parameter"),
    (lambda m: m["params"].update(random_state={"custom": "swish"}), "params.random_state is not a setting"),
    (lambda m: m["params"].update(class_weight={"dict": [[7, 1.0]]}), "class_weight names labels that are not"),
    (lambda m: m["params"].update(verbose={"component": "ReLU", "params": {}}), "params.verbose is not a setting"),
])
def test_settings_every_later_fit_would_refuse_are_refused_by_load(edit, match, saved):
    edit_model_file(saved, edit)
    refused(saved, match, custom_objects={"swish": np.tanh})


def test_a_step_named_as_a_pipeline_parameter_is_refused(tmp_path, iris):
    path = _scaled(tmp_path, iris, StandardScaler())
    edit_model_file(path, lambda m: m["pipeline"][0].__setitem__(0, "memory"))
    refused(path, r"model.steps\[0\] is not a \(unique name, step\) pair")


def swish(x):
    return x / (1 + np.exp(-x))


def swish_prime(x):
    s = 1 / (1 + np.exp(-x))
    return s + x * s * (1 - s)


def test_a_file_cannot_set_attributes_on_the_callers_functions(tmp_path, iris):
    X, y = iris
    path = tmp_path / "model.skn"
    NumpyMLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0,
                       activation=(swish, swish_prime)).fit(X, y).save(path)

    def plant(m):
        network_of(m)["hidden_activation"]["function"]["state"] = {"owned_": "by the file"}

    edit_model_file(path, plant)
    refused(path, "gives settings or state to custom_objects\\['swish'\\], which takes none|has unexpected fields",
            custom_objects={"swish": swish, "swish_prime": swish_prime})
    assert vars(swish) == {}


def test_robust_scalers_save_and_labels_keep_their_dtype(tmp_path, iris):
    from sklearn.preprocessing import RobustScaler

    X, y = iris
    labels = np.array(["a", "b", "c"])[y]
    model = make_pipeline(RobustScaler(), NumpyMLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0))
    model.fit(X, labels)
    save(model, tmp_path / "m.skn")
    again = load(tmp_path / "m.skn")
    assert again.predict(X).dtype == model.predict(X).dtype
    np.testing.assert_array_equal(again.predict(X), model.predict(X))


def test_a_file_whose_reads_fail_is_a_value_error():
    refused("/proc/self/mem", "it cannot be read")
