#!/usr/bin/env python3
"""PyTorch's side of bench/mlp-gpu.ts: the same network, batch, optimiser and loss, data resident
on the device (CUDA when available, else the CPU with all threads).

Usage: mlp_gpu_torch.py F LAYERS(comma-separated) K BATCH ROWS EPOCHS
Prints one JSON line: training and inference events per second and the device.
"""
import json
import sys
import time

import torch


def main():
    F, layers, K, batch, n, epochs = int(sys.argv[1]), [int(v) for v in sys.argv[2].split(",")], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(1)
    x = torch.randn(n, F, device=dev)
    t = x[:, 0] * x[:, 1] + torch.sin(2 * x[:, 2]) + 0.5 * x[:, 3] ** 2 - 0.5 + 0.5 * torch.randn(n, device=dev)
    y = (t > 0).float() if K == 1 else torch.clamp(torch.floor(t + K / 2), 0, K - 1).long()
    w = 0.5 + torch.rand(n, device=dev)
    mods, nin = [], F
    for h in layers:
        mods += [torch.nn.Linear(nin, h), torch.nn.ReLU()]
        nin = h
    mods.append(torch.nn.Linear(nin, K))
    net = torch.nn.Sequential(*mods).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    w_mean = float(w.abs().mean())

    def epoch():
        perm = torch.randperm(n, device=dev)
        for s in range(0, n, batch):
            idx = perm[s : s + batch]
            xb, yb, wb = x[idx], y[idx], w[idx]
            opt.zero_grad(set_to_none=True)
            z = net(xb)
            if K == 1:
                l = torch.nn.functional.binary_cross_entropy_with_logits(z[:, 0], yb, reduction="none")
            else:
                l = torch.nn.functional.cross_entropy(z, yb, reduction="none")
            ((wb * l).sum() / (len(idx) * w_mean)).backward()
            opt.step()

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    epoch()  # warm-up
    sync()
    t0 = time.perf_counter()
    for _ in range(epochs):
        epoch()
    sync()
    train = time.perf_counter() - t0
    with torch.no_grad():
        for s in range(0, min(n, 65536), 65536):
            net(x[s : s + 65536])
        sync()
        t1 = time.perf_counter()
        for s in range(0, n, 65536):
            z = net(x[s : s + 65536])
            (torch.sigmoid(z) if K == 1 else torch.softmax(z, 1)).cpu()
        sync()
        infer = time.perf_counter() - t1
    name = torch.cuda.get_device_name(0) if dev.type == "cuda" else f"cpu, {torch.get_num_threads()} threads"
    print(json.dumps({"trainEventsPerSecond": n * epochs / train, "inferEventsPerSecond": n / infer, "device": name}))


main()
