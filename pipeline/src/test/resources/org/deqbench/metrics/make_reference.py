#!/usr/bin/env python3
"""Development tool: regenerates reference_images.json and reference_statistics.json.

The Java tests (ImageMetricsReferenceTest, SampleSummaryReferenceTest) read those JSON files; they
never run Python. Rerun this script only to change or extend the cases:

    python3 make_reference.py            # writes the JSON files next to this script

Needs numpy, scikit-image and scipy (the distribution packages python3-numpy, python3-skimage).

The reference metrics follow the fastMRI evaluation conventions, computed independently of the
Java code:
  * images are [C, H, W] or [C, T, H, W]; C = 2 holds (real, imag) and is reduced to the magnitude
    |x| = sqrt(re^2 + im^2); C = 1 is used as is;
  * data_range = max of the target (magnitude) over the whole image or volume;
  * PSNR = skimage.metrics.peak_signal_noise_ratio(target, recon, data_range=data_range) over all
    voxels; NMSE = ||target - recon||^2 / ||target||^2 over all voxels;
  * SSIM = mean over frames of skimage.metrics.structural_similarity(target[t], recon[t],
    win_size=7, data_range=data_range) (uniform window, K1 = 0.01, K2 = 0.03, sample covariance).
Inputs are rounded to 6 decimals before the metrics are computed, so the JSON holds exactly the
values the references were computed from.
"""
import json
import os

import numpy as np
from scipy import stats
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

HERE = os.path.dirname(os.path.abspath(__file__))


def smooth_image(h, w, phase):
    """A deterministic smooth image with edges: a few Gaussian blobs plus a bright square."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = (np.exp(-((x - 0.3 * w) ** 2 + (y - 0.4 * h) ** 2) / (0.05 * h * w))
           + 0.6 * np.exp(-((x - 0.7 * w) ** 2 + (y - 0.6 * h) ** 2) / (0.02 * h * w))
           + 0.2 * np.sin(phase + 0.5 * x) * np.cos(0.3 * y))
    img[h // 4: h // 2, w // 2: 3 * w // 4] += 0.5
    return img


def perturbation(shape, seed, scale):
    rng = np.random.RandomState(seed)
    return scale * rng.standard_normal(shape)


def magnitude(a):
    if a.shape[0] == 2:
        return np.abs(a[0] + 1j * a[1])
    if a.shape[0] == 1:
        return a[0]
    raise ValueError("expected 1 or 2 channels, got shape %s" % (a.shape,))


def reference(target, recon):
    t = magnitude(target)
    r = magnitude(recon)
    data_range = float(t.max())
    psnr = peak_signal_noise_ratio(t, r, data_range=data_range)
    nmse = float(np.linalg.norm(t - r) ** 2 / np.linalg.norm(t) ** 2)
    frames = t[None] if t.ndim == 2 else t
    recon_frames = r[None] if r.ndim == 2 else r
    ssim = float(np.mean([structural_similarity(a, b, win_size=7, data_range=data_range)
                          for a, b in zip(frames, recon_frames)]))
    return {"data_range": data_range, "psnr": float(psnr), "ssim": ssim, "nmse": nmse}


def case(name, target, recon):
    target = np.round(target.astype(np.float64), 6)
    recon = np.round(recon.astype(np.float64), 6)
    out = {"name": name, "shape": list(target.shape),
           "target": target.ravel(order="C").tolist(), "recon": recon.ravel(order="C").tolist()}
    out.update(reference(target, recon))
    return out


def cases():
    out = []
    # Real 16x16, mild noise.
    t = smooth_image(16, 16, 0.0)[None]
    out.append(case("real_16x16", t, t + perturbation(t.shape, 1, 0.05)))
    # Real 24x20 (non-square), heavy noise and a bias; reconstruction has negative values.
    t = smooth_image(24, 20, 1.0)[None]
    out.append(case("real_24x20_biased", t, 0.8 * t - 0.1 + perturbation(t.shape, 2, 0.2)))
    # Complex 16x16: magnitude of a smooth image with a smooth phase.
    h, w = 16, 16
    mag = smooth_image(h, w, 2.0)
    y, x = np.mgrid[0:h, 0:w]
    phase = 0.3 * x - 0.2 * y
    t = np.stack([mag * np.cos(phase), mag * np.sin(phase)])
    out.append(case("complex_16x16", t, t + perturbation(t.shape, 3, 0.04)))
    # Complex 24x20 with a different phase in the reconstruction (magnitude metrics ignore it).
    h, w = 24, 20
    mag = smooth_image(h, w, 0.5)
    y, x = np.mgrid[0:h, 0:w]
    phase = 0.1 * x * y / w
    t = np.stack([mag * np.cos(phase), mag * np.sin(phase)])
    rmag = np.abs(mag + perturbation(mag.shape, 4, 0.06))
    r = np.stack([rmag * np.cos(phase + 0.7), rmag * np.sin(phase + 0.7)])
    out.append(case("complex_24x20_phase_shift", t, r))
    # Complex time series [2, 3, 16, 18]: frames differ; SSIM is the mean over frames with the
    # volume's data_range, PSNR and NMSE over all voxels.
    frames = []
    for k in range(3):
        mag = smooth_image(16, 18, 0.7 * k) * (1.0 + 0.3 * k)
        frames.append(np.stack([mag, 0.2 * mag]))
    t = np.stack(frames, axis=1)
    out.append(case("complex_series_3x16x18", t, t + perturbation(t.shape, 5, 0.08)))
    return out


def statistics_cases():
    samples = [
        [30.1, 31.4, 29.8, 32.2, 30.9],
        [0.81, 0.84, 0.79],
        [0.012, 0.018, 0.011, 0.015, 0.02, 0.013, 0.017, 0.014],
        [25.0, 27.0],
    ]
    out = []
    for xs in samples:
        a = np.asarray(xs, dtype=np.float64)
        n = len(a)
        mean = float(a.mean())
        sd = float(a.std(ddof=1))
        lo, hi = stats.t.interval(0.95, n - 1, loc=mean, scale=sd / np.sqrt(n))
        out.append({"values": xs, "mean": mean, "std": sd, "ci95": [float(lo), float(hi)]})
    return out


def main():
    with open(os.path.join(HERE, "reference_images.json"), "w") as f:
        json.dump({"generator": "make_reference.py", "cases": cases()}, f)
        f.write("\n")
    with open(os.path.join(HERE, "reference_statistics.json"), "w") as f:
        json.dump({"generator": "make_reference.py", "cases": statistics_cases()}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
