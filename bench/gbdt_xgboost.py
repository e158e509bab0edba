#!/usr/bin/env python3
"""XGBoost's `hist` on bench/gbdt.ts's matrix: the reference of the gbdt benchmark.

Usage (bench/gbdt.ts runs it): gbdt_xgboost.py DATA_DIR THREADS TREES DEPTH OUT_PRED
Needs python3-xgboost (Debian: apt-get install python3-xgboost python3-sklearn python3-numpy).
Prints one JSON line: seconds and CPU seconds (all threads) of DMatrix construction + training, the held-out AUC by sklearn, and
the peak resident memory added by construction and training; writes the held-out predictions
(float32) to OUT_PRED so the benchmark scores both boosters with the same function.
"""
import json
import resource
import sys
import time

import numpy as np
import xgboost as xgb


def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def hwm():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main():
    d, threads, trees, depth, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    meta = json.load(open(f"{d}/meta.json"))
    nt, ns, F = meta["n_train"], meta["n_test"], meta["features"]
    n = nt + ns
    x = np.fromfile(f"{d}/x.f32", dtype=np.float32).reshape(F, n)
    y = np.fromfile(f"{d}/y.i32", dtype=np.int32)
    w = np.fromfile(f"{d}/w.f32", dtype=np.float32)
    # Row-major copies, as a user would hand XGBoost a matrix; not timed.
    train = np.ascontiguousarray(x[:, :nt].T)
    test = np.ascontiguousarray(x[:, nt:].T)
    before = rss()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    t0 = time.perf_counter()
    c0 = time.process_time()
    dtrain = xgb.DMatrix(train, label=y[:nt], weight=w[:nt], missing=np.nan, nthread=threads)
    params = {"tree_method": "hist", "max_depth": depth, "eta": 0.1, "lambda": 1.0, "min_child_weight": 1.0,
              "max_bin": 255, "objective": "binary:logistic", "base_score": 0.5, "nthread": threads, "seed": 0}
    booster = xgb.train(params, dtrain, num_boost_round=trees)
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - c0
    peak = hwm() - before
    pred = booster.predict(xgb.DMatrix(test, missing=np.nan, nthread=threads)).astype(np.float32)
    pred.tofile(out)
    try:
        from sklearn.metrics import roc_auc_score
        auc = float(roc_auc_score(y[nt:], pred))
    except ImportError:
        auc = float("nan")
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "auc": auc, "peak_bytes": peak, "xgboost": xgb.__version__}))


main()
