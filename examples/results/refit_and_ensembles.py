"""Two levers tried for issue 17 and not kept, scored on rows held out of each fold's training rows.

``refit``: fit the defaults, then fit again on all the training rows (the held-out 20% included) for the
best epoch's number of epochs; ``ens{k}``: the average prediction of k fits with random_state 0..k-1
(each holding out other rows); ``refit_ens{k}`` both.  Made by (13 tables, 3 seeds, about 6 minutes):

    OPENBLAS_NUM_THREADS=1 python examples/results/refit_and_ensembles.py 3 \
        hitters,salaries,carseats,cars,diabetes,star98,titanic,hmda,arrests,chile,wage,seattle_weather,concrete small

(writes ``refit_small.csv`` here; ``refit_and_ensembles.csv`` is that file).
"""
import sys, time, warnings
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import numpy as np, pandas as pd
from joblib import Parallel, delayed
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.model_selection import train_test_split
from tabular_datasets import DATASETS
from tabular_benchmark import folds
from skneural import TabularMLPClassifier, TabularMLPRegressor
from skneural.training.callbacks import Callback

class StopAt(Callback):
    def __init__(self, n): self.n = n
    def on_epoch_end(self, trainer):
        if len(trainer.history) >= self.n: trainer.stop = True

def score(task, yb, preds):
    if task == "regression": return r2_score(yb, np.mean(preds, axis=0))
    p = np.mean(preds, axis=0)
    return roc_auc_score(yb, p[:, 1]) if p.shape[1] == 2 else roc_auc_score(yb, p, multi_class="ovr")

def one(name, fold, k, kw):
    X, y, task = DATASETS[name]()
    tr, te = folds(task, X, y, 5)[fold]
    Xtr, ytr = X.iloc[tr], y.iloc[tr]
    a, b = train_test_split(np.arange(len(tr)), test_size=0.2, random_state=fold,
                            stratify=ytr if task != "regression" else None)
    Est = TabularMLPRegressor if task == "regression" else TabularMLPClassifier
    pr = (lambda m, X: m.predict(X)) if task == "regression" else (lambda m, X: m.predict_proba(X))
    Xa, ya, Xb, yb = Xtr.iloc[a], ytr.iloc[a], Xtr.iloc[b], ytr.iloc[b]
    out = {"dataset": name, "task": task, "fold": fold}
    base, refit = [], []
    t0 = time.perf_counter(); t_base = t_ref = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for s in range(k):
            t = time.perf_counter()
            m = Est(random_state=s, **kw).fit(Xa, ya); base.append(pr(m, Xb))
            t_base += time.perf_counter() - t
            e = int(np.nanargmax(m.validation_scores_)) + 1
            t = time.perf_counter()
            r = Est(random_state=s, early_stopping=False, callbacks=[StopAt(e)], **kw).fit(Xa, ya); refit.append(pr(r, Xb))
            t_ref += time.perf_counter() - t
            out[f"best{s}"] = e
    out["base"] = score(task, yb, base[:1]); out["refit"] = score(task, yb, refit[:1])
    for j in range(2, k + 1):
        out[f"ens{j}"] = score(task, yb, base[:j]); out[f"refit_ens{j}"] = score(task, yb, refit[:j])
    out["t_base"] = t_base / k; out["t_refit"] = t_ref / k
    return out

if __name__ == "__main__":
    k = int(sys.argv[1]); names = sys.argv[2].split(","); tag = sys.argv[3]
    t = time.time()
    res = Parallel(n_jobs=2)(delayed(one)(d, f, k, {}) for d in names for f in range(5))
    df = pd.DataFrame(res); df.to_csv(Path(__file__).with_name(f"refit_{tag}.csv"), index=False)
    cols = [c for c in df.columns if c in ("base", "refit") or c.startswith(("ens", "refit_ens"))]
    p = df.groupby("dataset")[cols].mean()
    print(p.sub(p["base"], axis=0).round(3).assign(base=p["base"].round(3)).to_string())
    print(p.sub(p["base"], axis=0).mean().round(4).to_string()); print("seconds", round(time.time() - t))
