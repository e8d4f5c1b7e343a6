"""Text values of tabular transformers (categories, imputation statistics) in model files: stored with
variable length (their UTF-8 bytes in one uint8 array, end offsets in another), checked before any
string is built, and the infrequent categories of encoders by their positions in ``categories_``."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from skneural import NumpyMLPClassifier, load, save
from skneural.persistence.archive import Archive, write
from skneural.persistence.tabular_values import MAX_TEXT_RATIO, decode_values, encode_values, same_values
from skneural.persistence.values import Decoder, Encoder
from model_file_edits import read_model_file as read_file, write_model_file as write_file

SMALL = dict(hidden_layer_sizes=(4,), max_iter=5, random_state=0)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def find(value, key):
    """The first dict in a JSON value that has ``key``."""
    if isinstance(value, dict):
        if key in value:
            return value
        value = list(value.values())
    if isinstance(value, list):
        return next((found for v in value if (found := find(v, key)) is not None), None)
    return None


def stored_and_back(values, tmp_path):
    """``values`` through encode_values, a real file and decode_values; and the stored entry."""
    enc = Encoder()
    entry = encode_values(enc, values)
    path = tmp_path / "values.skn"
    write(path, {"entry": entry}, enc.arrays)
    with Archive(path) as archive:
        return decode_values(Decoder(archive, {}), archive.description()["entry"], "values"), entry


MIXED = np.array(["a", "", "ünïcødé ✓ 名前 🙂", 7, -2**62, 2.5, True, False, None, np.nan, "x" * 5000, "",
                  0.0], dtype=object)


@pytest.mark.parametrize("values", [
    MIXED,
    np.array(["", "", ""], dtype=object),
    np.array([None, np.nan], dtype=object),
    np.array([], dtype=object),
    np.array(["short", "é" * 3000, "🙂"], dtype=object),
    np.array(["a", "bb", "ççç"]),  # plain strings: rebuilt as the same fixed-width dtype
    np.array(["a", "b"], dtype="<U10"),  # wider than its longest: kept fixed-width, dtype and all
    np.array(["x" * 2000] + [""] * 2000),  # 2001 values of width 2000: kept fixed-width
    np.array([1.5, np.nan, -3.0]),
    np.array([1, 2, 3], dtype=np.int32),
])
def test_values_round_trip(values, tmp_path):
    back, _ = stored_and_back(values, tmp_path)
    assert same_values(back, values), (back, values)


def test_strings_are_stored_as_utf8_bytes_and_end_offsets(tmp_path):
    back, entry = stored_and_back(MIXED, tmp_path)
    kinds = {part[0]: part for part in entry["parts"]}
    text = kinds["str"][1]
    assert set(text) == {"utf8", "ends"}
    strings = [v for v in MIXED.tolist() if isinstance(v, str)]
    assert kinds["str"][2] == [i for i, v in enumerate(MIXED.tolist()) if isinstance(v, str)]
    _, plain = stored_and_back(np.array(["a", "bb"]), tmp_path)
    assert set(plain["parts"][0][1]) == {"utf8", "ends"} and plain["parts"][0][2] == {"range": [0, 2]}
    _, wide = stored_and_back(np.array(["x" * 2000] + [""] * 2000), tmp_path)
    assert set(wide["parts"][0][1]) == {"array"}  # as variable-length text it would be refused on load
    assert sum(len(s.encode()) for s in strings) == 1 + len("ünïcødé ✓ 名前 🙂".encode()) + 5000


# -- models ----------------------------------------------------------------------------------------

def text_frame(n=120, seed=0):
    rng = np.random.RandomState(seed)
    city = rng.choice(np.array(["paris", "zürich", "são paulo", "", "東京", "l" * 300], dtype=object), n,
                      p=[.4, .3, .15, .06, .05, .04])
    city[[2, 9]] = None
    return pd.DataFrame({
        "city": pd.Series(city, dtype=object),
        "name": rng.choice(np.array(["ann", "bob", "chloé", "", "🙂"], dtype=object), n, p=[.4, .3, .2, .05, .05]),
        "code": pd.Series(rng.choice(np.array(["a", "b", None], dtype=object), n), dtype=object),
        "age": np.where(rng.rand(n) < .1, np.nan, rng.normal(40, 10, n)),
    })


def text_model(df):
    columns = ColumnTransformer([
        ("one_hot", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=6, sparse_output=False),
         ["city", "name"]),
        ("ordinal", make_pipeline(SimpleImputer(strategy="most_frequent"),  # None stays a category, infrequent
                                  OrdinalEncoder(max_categories=3, handle_unknown="use_encoded_value",
                                                 unknown_value=-1)), ["code", "name"]),
        ("text_fill", make_pipeline(SimpleImputer(strategy="constant", fill_value="ø missing"),
                                    OneHotEncoder(handle_unknown="ignore", sparse_output=False)), ["city"]),
        ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ["age"]),
    ])
    return make_pipeline(columns, NumpyMLPClassifier(**SMALL)).fit(df, df["name"].isin(["ann", "🙂"]))


@pytest.fixture
def saved(tmp_path):
    df = text_frame()
    model = text_model(df)
    path = tmp_path / "model.skn"
    save(model, path)
    return path, model, df


def test_predictions_and_categories_are_identical_after_load(saved):
    path, model, df = saved
    again = load(path)
    unseen = text_frame(40, seed=1)
    unseen.loc[0, "city"], unseen.loc[1, "name"] = "lima", "zoë"
    for rows in (df, unseen):
        np.testing.assert_array_equal(again.predict_proba(rows), model.predict_proba(rows))
    for name in ("one_hot", "ordinal", "text_fill"):
        ours, theirs = model[0].named_transformers_[name], again[0].named_transformers_[name]
        encoder = ours if name == "one_hot" else ours[-1]
        loaded = theirs if name == "one_hot" else theirs[-1]
        assert all(same_values(a, b) for a, b in zip(encoder.categories_, loaded.categories_))
        if name != "text_fill":
            assert all((a is None and b is None) or same_values(a, b)
                       for a, b in zip(encoder.infrequent_categories_, loaded.infrequent_categories_))
    document, _ = read_file(path)
    encoder = model[0].named_transformers_["one_hot"]
    assert find(document, "infrequent_categories_")["infrequent_categories_"] == [
        [list(c).index(v) for v in rare] for c, rare in zip(encoder.categories_, encoder.infrequent_categories_)]


def _names(n, rng):
    syllables = ["ka", "ri", "mo", "é", "ün", "sa", "to", "ß", "lo", "na"]
    names = {"".join(rng.choice(syllables, rng.randint(3, 8))) + f"-{i}" for i in range(n)}
    names = sorted(names)
    names[0] = "w" * 200
    return names


def test_a_column_of_many_distinct_names_takes_about_its_text(tmp_path):
    rng = np.random.RandomState(0)

    def size(names):
        X = pd.DataFrame({"name": pd.Series(names, dtype=object)})
        model = make_pipeline(ColumnTransformer([("codes", OrdinalEncoder(), ["name"])]),
                              NumpyMLPClassifier(**SMALL)).fit(X, np.arange(len(names)) % 2)
        path = tmp_path / f"m{len(names)}.skn"
        save(model, path)
        np.testing.assert_array_equal(load(path).predict_proba(X), model.predict_proba(X))
        return path.stat().st_size

    names = _names(10_000, rng)
    text = sum(len(s.encode("utf-8")) for s in names)
    overhead = size(names[:2])  # the same model of two names: everything but the text
    fixed_width = len(names) * max(map(len, names)) * 4  # what a fixed-width 'U' array of them takes
    assert size(names) <= 1.5 * text + overhead
    assert size(names) < fixed_width / 10


# -- corrupted files ---------------------------------------------------------------------------------

def _text_arrays(document, arrays):
    text = find(document, "utf8")
    return text, arrays[text["utf8"]["array"]], arrays[text["ends"]["array"]]


def _set(arrays, entry, value):
    arrays[entry["array"]] = value


@pytest.mark.parametrize("edit, field, problem", [
    (lambda t, data, ends, a: _set(a, t["ends"], ends[::-1].copy()), "ends", "last end offset"),
    (lambda t, data, ends, a: _set(a, t["ends"], np.concatenate([ends[1:2], ends[:1], ends[2:]])), "ends",
     "not non-decreasing"),
    (lambda t, data, ends, a: _set(a, t["ends"], np.concatenate([ends[:1] + 10**6, ends[1:]])), "ends",
     "outside"),
    (lambda t, data, ends, a: _set(a, t["ends"], np.concatenate([[-1], ends[1:]]).astype(np.int64)), "ends",
     "outside"),
    (lambda t, data, ends, a: _set(a, t["ends"], ends[:-1]), "ends", "last end offset"),
    (lambda t, data, ends, a: _set(a, t["utf8"], data[:-1]), "ends", "last end offset"),
    (lambda t, data, ends, a: _set(a, t["utf8"], np.concatenate([data[:1], [0xFF], data[2:]]).astype(np.uint8)),
     "utf8", "not valid UTF-8"),
    (lambda t, data, ends, a: _set(a, t["ends"], ends.astype(np.float64)), "ends", "not allowed"),
    (lambda t, data, ends, a: _set(a, t["utf8"], data.astype(np.int16)), "utf8", "expected uint8"),
    (lambda t, data, ends, a: _set(a, t["ends"], ends.reshape(1, -1)), "ends", "not a list of end offsets"),
])
def test_corrupted_text_is_refused_naming_the_field(edit, field, problem, saved):
    path = saved[0]
    document, arrays = read_file(path)
    edit(*_text_arrays(document, arrays), arrays)
    write_file(path, document, arrays)
    with pytest.raises(ValueError, match=rf"categories_\[0\]\.parts\[0\]\.values\.{field}.*{problem}") as error:
        load(path)
    assert str(path) in str(error.value)


def test_an_offset_inside_a_character_is_refused(tmp_path):
    # "é" split between two values: the bytes are valid UTF-8 as a whole, not value by value
    enc = Encoder()
    entry = encode_values(enc, np.array(["aé", "b"], dtype=object))
    enc.arrays[entry["parts"][0][1]["ends"]["array"]] = np.array([2, 4], dtype=np.uint32)
    path = tmp_path / "v.skn"
    write(path, {"entry": entry}, enc.arrays)
    with Archive(path) as archive, pytest.raises(ValueError, match=r"values\.parts\[0\]\.values\.utf8: value 0"):
        decode_values(Decoder(archive, {}), archive.description()["entry"], "values")


def test_more_values_than_positions_are_refused(saved):
    path = saved[0]
    document, arrays = read_file(path)
    text, data, ends = _text_arrays(document, arrays)
    arrays[text["ends"]["array"]] = np.concatenate([ends, ends[-1:]])
    write_file(path, document, arrays)
    with pytest.raises(ValueError, match=r"categories_\[0\]\.parts\[0\] does not give one position per value"):
        load(path)


def test_a_range_of_positions_past_the_values_is_refused(saved):
    path = saved[0]
    document, arrays = read_file(path)
    part = find(document, "categories_")["categories_"][0]["parts"][0]
    part[2] = {"range": [0, 10**9]}
    write_file(path, document, arrays)
    with pytest.raises(ValueError, match=r"categories_\[0\]\.parts\[0\]\.positions is not a range of positions"):
        load(path)


def test_plain_text_too_wide_for_its_bytes_is_refused(tmp_path):
    # one long string among many empty ones: a fixed-width array of them would be 4 GB from 100 kB
    enc = Encoder()
    entry = encode_values(enc, np.array(["a", "b"]))
    raw = b"x" * 100_000
    enc.arrays[entry["parts"][0][1]["utf8"]["array"]] = np.frombuffer(raw, dtype=np.uint8)
    enc.arrays[entry["parts"][0][1]["ends"]["array"]] = np.full(10_000, len(raw), dtype=np.uint32)
    entry["parts"][0][2] = {"range": [0, 10_000]}
    path = tmp_path / "v.skn"
    write(path, {"entry": entry}, enc.arrays)
    with Archive(path) as archive, pytest.raises(ValueError, match=f"over {MAX_TEXT_RATIO} times the bytes"):
        decode_values(Decoder(archive, {}), archive.description()["entry"], "values")


@pytest.mark.parametrize("positions, problem", [
    ([0, 99], "is not a list of positions in categories_"),
    ([-1], "is not a list of positions in categories_"),
    ([1.0], "is not a list of positions in categories_"),
    ("0", "is not a list of positions in categories_"),
    ([0, 0], "lists a position in categories_ more than once"),
])
def test_infrequent_positions_are_checked(positions, problem, saved):
    path = saved[0]
    document, arrays = read_file(path)
    find(document, "infrequent_categories_")["infrequent_categories_"][0] = positions
    write_file(path, document, arrays)
    with pytest.raises(ValueError, match=rf"infrequent_categories_\[0\] {problem}") as error:
        load(path)
    assert str(path) in str(error.value)


def test_fixed_width_strings_of_earlier_files_still_load(tmp_path):
    # files written before this storage: {"array": key} of a fixed-width 'U' array, the file's own bytes
    enc = Encoder()
    entry = {"object": True, "parts": [["str", enc.array(np.array(["b", "é" * 3])), [0, 2]],
                                       ["int", enc.array(np.array([4])), [1]]], "nan": [3], "none": []}
    path = tmp_path / "v.skn"
    write(path, {"entry": entry}, enc.arrays)
    with Archive(path) as archive:
        back = decode_values(Decoder(archive, {}), archive.description()["entry"], "values")
    assert same_values(back, np.array(["b", 4, "é" * 3, np.nan], dtype=object))
