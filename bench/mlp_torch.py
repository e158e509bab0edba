#!/usr/bin/env python3
"""PyTorch's side of bench/mlp.ts: the same 28-64-64-1 network, batches and optimiser on the CPU.

Usage (bench/mlp.ts runs it): mlp_torch.py DATA_DIR THREADS EPOCHS BATCH
Needs python3-torch (Debian: apt-get install python3-torch).
Prints one JSON line: training and inference events per second, and the last epoch's weighted
mean training loss.
"""
import json
import sys
import time

import numpy as np
import torch


def main():
    d, threads, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    meta = json.load(open(f"{d}/meta.json"))
    n, F = meta["rows"], meta["features"]
    x = torch.from_numpy(np.fromfile(f"{d}/x.f32", dtype=np.float32).reshape(n, F))
    y = torch.from_numpy(np.fromfile(f"{d}/y.i32", dtype=np.int32).astype(np.float32))
    w = torch.from_numpy(np.fromfile(f"{d}/w.f32", dtype=np.float32))
    net = torch.nn.Sequential(torch.nn.Linear(F, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    w_mean = float(w.abs().mean())
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n)
        total, wsum = 0.0, 0.0
        for s in range(0, n, batch):
            idx = perm[s : s + batch]
            xb, yb, wb = x[idx], y[idx], w[idx]
            opt.zero_grad()
            z = net(xb)[:, 0]
            l = torch.nn.functional.binary_cross_entropy_with_logits(z, yb, reduction="none")
            loss = (wb * l).sum() / (len(idx) * w_mean)
            loss.backward()
            opt.step()
            total += float((wb * l).sum())
            wsum += float(wb.sum())
    train = time.perf_counter() - t0
    t1 = time.perf_counter()
    with torch.no_grad():
        for s in range(0, n, 65536):
            torch.sigmoid(net(x[s : s + 65536])[:, 0])
    infer = time.perf_counter() - t1
    print(json.dumps({"trainEventsPerSecond": n * epochs / train, "inferEventsPerSecond": n / infer, "trainLoss": total / wsum}))


main()
