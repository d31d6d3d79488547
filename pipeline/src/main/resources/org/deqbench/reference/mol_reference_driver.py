"""Runs the official MOL code (Pramanik, Zimmerman, Jacob, IEEE TCI 2023) on deqbench's arrays.

deqbench bench reference starts this script with the machine's python3 and torch; the official
modules are imported from --mol-code (a checkout of the official repository), never copied. Arrays
are deqbench's .npy layouts (complex as a real/imaginary axis): measurements [N, C, 2, H, W],
coil maps [N, C, 2, H, W], masks [N, H, W], ground truth and outputs [N, 2, H, W]. Each command
prints one JSON object on its last line of stdout.

  infer   --checkpoint F --data DIR --out x.npy     tst_mol.py's model (fwdbwdBlock in DEQ_inf)
  train   --method mol|modl --iterations K --steps S --data DIR
          one process per configuration: S optimiser steps (the first excluded from the peak),
          then inference at exactly K iterations
  kernels --shape B,C,H,W --rounds R --gemm-size N
                                                   the dwblock CNN's forward and forward+backward,
                                                   each round beside one N x N float32 torch.mm
                                                   (N 0: no gemm)
"""
import argparse
import gc
import json
import os
import resource
import sys
import threading
import time

import numpy as np
import torch


def complex_from(a, axis):
    a = np.asarray(a, dtype=np.float32)
    re = np.take(a, 0, axis=axis)
    im = np.take(a, 1, axis=axis)
    return torch.from_numpy(re + 1j * im).to(torch.complex64)


def load_data(folder):
    b = np.load(os.path.join(folder, "measurements.npy"))
    s = np.load(os.path.join(folder, "coil_maps.npy"))
    m = np.load(os.path.join(folder, "masks.npy"))
    gt_file = os.path.join(folder, "ground_truth.npy")
    gt = complex_from(np.load(gt_file), 1)[:, None] if os.path.exists(gt_file) else None
    ksp = complex_from(b, 2)                       # [N, C, H, W]
    csm = complex_from(s, 2)                       # [N, C, H, W]
    mask = torch.from_numpy(np.asarray(m, dtype=np.float32))[:, None].to(torch.complex64)  # [N, 1, H, W]
    return ksp, csm, mask, gt


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def reset_high_water_mark():
    """Resets the kernel's peak RSS (VmHWM) to the current RSS; False where Linux does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def high_water_mark_bytes():
    """The kernel's peak RSS since the last reset, or -1."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return -1


class PeakSampler:
    """Resident set size sampled every 2 ms by a thread (torch kernels release the GIL); where the
    kernel's high-water mark can be reset, the peak is that mark, exact, as deqbench's MemoryProbe."""

    def __init__(self):
        self.exact = reset_high_water_mark() and high_water_mark_bytes() > 0
        self.peak = rss_bytes()
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while self.running:
            self.peak = max(self.peak, rss_bytes())
            time.sleep(0.002)

    def reset(self):
        if self.exact:
            reset_high_water_mark()
        self.peak = rss_bytes()

    def step_peak(self):
        peak = max(self.peak, rss_bytes())
        return max(peak, high_water_mark_bytes()) if self.exact else peak

    def stop(self):
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, rss_bytes())
        return self.peak


def official_modules(mol_code):
    sys.path.insert(0, os.path.abspath(mol_code))
    import Sense
    import solver_blocks
    import solvers
    return Sense, solver_blocks, solvers


def cmd_infer(a):
    Sense, solver_blocks, solvers = official_modules(a.mol_code)
    # tst_mol.py's constants
    A_init = Sense.sense(a.cg_init)
    A = Sense.sense(a.cg_iter)
    block = solver_blocks.fwdbwdBlock(A, a.lam, 1, 64, 1, 5, spectral_norm=False)
    block.alpha = torch.tensor(a.alpha, dtype=torch.float32)
    model = solvers.DEQ_inf(block, a.max_iterations, A_init, a.lam_init, tol=a.tolerance, verbose=False)
    model.load_state_dict(torch.load(a.checkpoint, map_location="cpu")["state_dict"])
    ksp, csm, mask, _ = load_data(a.data)
    with torch.no_grad():
        t0 = time.perf_counter()
        x, _, err, blk = model(ksp, csm, mask)
        seconds = time.perf_counter() - t0
    x = x[:, 0]
    np.save(a.out, np.stack([x.real.numpy(), x.imag.numpy()], axis=1).astype(np.float32))
    # DEQ_inf applies the block blk + 1 times in its loop and once more for the returned z
    print(json.dumps({"seconds": seconds, "nfe": int(blk), "block_evaluations": int(blk) + 2,
                      "relative_change": float(err), "lambda": float(block.lam), "threads": torch.get_num_threads(),
                      "torch": torch.__version__}))


def barrier(l, T, e):
    """MOL-LR's penalty on the local Lipschitz estimate l (paper: -log(T - l), linear beyond T - e)."""
    if float(l) < T - e:
        return -torch.log(T - l)
    return -np.log(e) + (l - T + e) / e


def lipschitz_estimate(mol_code, u, network, iters=10):
    import lipschitz_cnn
    real_device = torch.device
    # the official Lipschitz class places its tensors on torch.device('cuda'); on this CPU run the
    # same constructor is called with that device mapped to the CPU
    torch.device = lambda *args, **kw: real_device("cpu")
    try:
        lip = lipschitz_cnn.Lipschitz(u, torch.as_tensor(0.01), u.shape, network, lr=1.0)
    finally:
        torch.device = real_device
    return lip.adverserial_update(iters=iters)


def cmd_train(a):
    Sense, solver_blocks, solvers = official_modules(a.mol_code)
    torch.manual_seed(0)
    ksp, csm, mask, gt = load_data(a.data)
    A_init = Sense.sense(a.cg_init)
    A = Sense.sense(a.cg_iter)
    if a.method == "mol":
        block = solver_blocks.fwdbwdBlock(A, a.lam_init, 1, a.channels, 1, a.layers, spectral_norm=False)
        block.alpha = torch.tensor(a.alpha, dtype=torch.float32)
        # tolerance 0: the forward loop and the backward hook run exactly K iterations
        model = solvers.DEQ(block, a.iterations, A_init, a.lam_init, tol=0.0, verbose=False)
        infer_model = solvers.DEQ_inf(block, a.iterations, A_init, a.lam_init, tol=0.0, verbose=False)
    else:
        block = solver_blocks.modlBlock(A, 1.0 / a.modl_lambda, 1, a.channels, 1, a.layers, spectral_norm=False)
        model = solvers.Unroll(block, a.iterations, A_init, a.lam_init)
        infer_model = model
    optimizer = torch.optim.Adam([{"params": block.dw.parameters(), "lr": 1e-3}, {"params": block.lam, "lr": 1.0}])
    mse = torch.nn.MSELoss()
    n = ksp.shape[0]
    # as deqbench's MemoryProbe: the baseline is the RSS after a collection before the first step,
    # and every step starts after a collection
    gc.collect()
    baseline = rss_bytes()
    sampler = PeakSampler()
    step_seconds, step_peaks = [], []
    for step in range(a.steps):
        i = step % n
        gc.collect()
        sampler.reset()
        t0 = time.perf_counter()
        x, _, _, _ = model(ksp[i:i + 1], csm[i:i + 1], mask[i:i + 1])
        loss = mse(torch.abs(x), torch.abs(gt[i:i + 1]))
        if a.method == "mol":
            lip = lipschitz_estimate(a.mol_code, x.detach().clone(), block.dw)
            loss = loss + 1e-6 * barrier(lip, 0.98, 1e-3).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step_seconds.append(time.perf_counter() - t0)
        step_peaks.append(sampler.step_peak())
    sampler.stop()
    steady = slice(1, None) if a.steps > 1 else slice(0, None)
    infer_seconds = []
    with torch.no_grad():
        for r in range(3):
            t0 = time.perf_counter()
            infer_model(ksp[0:1], csm[0:1], mask[0:1])
            infer_seconds.append(time.perf_counter() - t0)
    print(json.dumps({
        "method": a.method, "iterations": a.iterations, "steps": a.steps,
        "seconds_per_step": float(np.median(step_seconds[steady])),
        "peak_bytes": int(max(step_peaks[steady])), "baseline_bytes": int(baseline),
        "peak_above_baseline_bytes": int(max(step_peaks[steady]) - baseline),
        "first_step_peak_bytes": int(step_peaks[0]), "step_peak_bytes": [int(v) for v in step_peaks],
        "peak_source": "VmHWM reset at each step" if sampler.exact else "RSS sampled every 2 ms",
        "max_rss_bytes": int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024,
        "inference_seconds": float(np.median(infer_seconds)), "threads": torch.get_num_threads()}))


def blas_info():
    """torch's build setting BLAS_INFO (e.g. 'generic': the system's libblas, maybe the reference one)."""
    for part in torch.__config__.show().replace("\n", ",").split(","):
        if "BLAS_INFO=" in part:
            return part.split("BLAS_INFO=", 1)[1].strip()
    return None


def cmd_kernels(a):
    _, solver_blocks, _ = official_modules(a.mol_code)
    import networks
    torch.manual_seed(0)
    net = networks.dwblock(1, a.channels, 1, a.layers).net
    shape = [int(v) for v in a.shape.split(",")]
    x = torch.randn(*shape)
    n = a.gemm_size
    ga, gb = (torch.rand(n, n), torch.rand(n, n)) if n > 0 else (None, None)
    gc_ = torch.zeros(n, n) if n > 0 else None
    forward, backward, gemm = [], [], []
    for r in range(a.rounds + 1):
        if n > 0:
            t0 = time.perf_counter()
            torch.mm(ga, gb, out=gc_)
            gemm.append(time.perf_counter() - t0)
        with torch.no_grad():
            t0 = time.perf_counter()
            net(x)
            forward.append(time.perf_counter() - t0)
        xi = x.clone().requires_grad_(True)
        v = torch.randn(shape)
        net.zero_grad()
        t0 = time.perf_counter()
        out = net(xi)
        out.backward(v)  # J^T v for the input and every parameter, as ConvNet.vjp
        backward.append(time.perf_counter() - t0)
    # round 0 warms up and is left out, as deqbench's side does
    out = {"shape": shape, "forward_seconds": float(np.median(forward[1:])),
           "forward_vjp_seconds": float(np.median(backward[1:])), "rounds": a.rounds,
           "forward_seconds_rounds": [float(t) for t in forward[1:]],
           "forward_vjp_seconds_rounds": [float(t) for t in backward[1:]],
           "threads": torch.get_num_threads(), "torch": torch.__version__}
    if n > 0:
        out["gemm_size"] = n
        out["gemm_seconds"] = float(np.median(gemm[1:]))
        out["gemm_seconds_rounds"] = [float(t) for t in gemm[1:]]
        out["blas"] = blas_info()
    print(json.dumps(out))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["infer", "train", "kernels"])
    p.add_argument("--mol-code", required=True)
    p.add_argument("--data")
    p.add_argument("--checkpoint")
    p.add_argument("--out")
    p.add_argument("--method", choices=["mol", "modl"])
    p.add_argument("--iterations", type=int)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--layers", type=int, default=5)
    p.add_argument("--channels", type=int, default=64)
    p.add_argument("--alpha", type=float, default=0.01)
    p.add_argument("--lam", type=float, default=100.0)
    p.add_argument("--lam-init", type=float, default=100.0)
    p.add_argument("--modl-lambda", type=float, default=0.05)
    p.add_argument("--cg-init", type=int, default=50)
    p.add_argument("--cg-iter", type=int, default=5)
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--max-iterations", type=int, default=500)
    p.add_argument("--shape", default="4,2,64,64")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--gemm-size", type=int, default=0)
    a = p.parse_args()
    {"infer": cmd_infer, "train": cmd_train, "kernels": cmd_kernels}[a.command](a)


if __name__ == "__main__":
    main()
