"""Generates the tiny HDF5 fixtures of the data-import tests (run with numpy and h5py):

    python3 make_fixtures.py

fastmri_tiny.h5  kspace [2 slices, 2 coils, 16, 12] complex64 (HDF5 compound {r, i}, as
                 h5py writes complex numbers and as fastMRI files store them) and
                 reconstruction_rss [2, 16, 12] float32; images are ellipses seen by two coils
                 with Gaussian profiles; k-space is the orthonormal centred 2D FFT of the coil images.
modl_tiny.h5     MoDL's dataset.hdf5 layout: trnOrg [2, 12, 12], trnCsm [2, 2, 12, 12] complex64,
                 trnMask [2, 12, 12] int8, and tstOrg / tstCsm / tstMask with 1 example.

The writer of the library used by deqbench cannot write compound types, so these files pin the
compound (native complex) layout; the tests write the other accepted layout (a trailing axis of
length 2) themselves.
"""
import h5py
import numpy as np


def fft2c(x):
    return np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(x, axes=(-2, -1)), norm="ortho"), axes=(-2, -1))


def phantom(h, w, shift):
    v, u = np.meshgrid(np.linspace(-1, 1, h), np.linspace(-1, 1, w), indexing="ij")
    img = 0.5 * ((u / 0.8) ** 2 + (v / 0.9) ** 2 <= 1)
    img += 0.5 * (((u - shift) / 0.3) ** 2 + ((v + 0.2) / 0.4) ** 2 <= 1)
    return (img * np.exp(1j * (0.3 * u - 0.2 * v))).astype(np.complex64)


def maps(coils, h, w):
    v, u = np.meshgrid(np.linspace(-1, 1, h), np.linspace(-1, 1, w), indexing="ij")
    s = []
    for c in range(coils):
        t = 2 * np.pi * c / coils
        s.append(np.exp(-((u - 1.2 * np.cos(t)) ** 2 + (v - 1.2 * np.sin(t)) ** 2) / 0.98) * np.exp(1j * t))
    s = np.array(s)
    return (s / np.sqrt((np.abs(s) ** 2).sum(0))).astype(np.complex64)


with h5py.File("fastmri_tiny.h5", "w") as f:
    imgs = np.array([phantom(16, 12, 0.1 * k) for k in range(2)])
    coil_imgs = imgs[:, None] * maps(2, 16, 12)[None]
    f.create_dataset("kspace", data=fft2c(coil_imgs).astype(np.complex64))
    f.create_dataset("reconstruction_rss", data=np.sqrt((np.abs(coil_imgs) ** 2).sum(1)).astype(np.float32))

with h5py.File("modl_tiny.h5", "w") as f:
    for prefix, n in (("trn", 2), ("tst", 1)):
        f.create_dataset(prefix + "Org", data=np.array([phantom(12, 12, 0.1 * k) for k in range(n)]))
        f.create_dataset(prefix + "Csm", data=np.array([maps(2, 12, 12)] * n))
        mask = np.zeros((n, 12, 12), np.int8)
        mask[:, :, ::2] = 1
        mask[:, :, 5:8] = 1
        f.create_dataset(prefix + "Mask", data=mask)
