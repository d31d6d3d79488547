#!/usr/bin/env python3
"""Lists the GPU code in a CUDA shared library: for each architecture, how many cubins (compiled
kernels, which run on GPUs of that compute capability's major version with an equal or higher
minor version) and how many PTX entries (which the driver can compile for newer GPUs).

    unzip -p ~/.m2/repository/org/nd4j/nd4j-cuda-11.6/1.0.0-M2.1/nd4j-cuda-11.6-1.0.0-M2.1-linux-x86_64.jar \\
        org/nd4j/linalg/jcublas/bindings/linux-x86_64/libnd4jcuda.so > /tmp/libnd4jcuda.so
    python3 docker/cuda/list_kernels.py /tmp/libnd4jcuda.so

Reads the ELF section .nv_fatbin: a sequence of fat binary containers (magic 0xBA55ED50, 16-byte
header: magic u32, version u16, header size u16, payload size u64), each a sequence of entries
whose header starts with kind u16 (1 = PTX, 2 = cubin), version u16, header size u32, payload
size u64, and holds the architecture (e.g. 86 for sm_86) as u32 at byte 28. Standard library only.
"""
from __future__ import annotations

import collections
import mmap
import struct
import sys

FATBIN_MAGIC = 0xBA55ED50
KINDS = {1: "PTX", 2: "cubin"}


def elf_section(data, name: str) -> tuple[int, int]:
    """(offset, size) of the named section of a little-endian ELF64 file."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a little-endian 64-bit ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    def header(i):
        # name u32, type u32, flags u64, addr u64, offset u64, size u64
        return struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
    strtab_off = header(shstrndx)[4]
    for i in range(shnum):
        name_off, _type, _flags, _addr, off, size = header(i)
        end = data.find(b"\0", strtab_off + name_off)
        if bytes(data[strtab_off + name_off:end]).decode() == name:
            return off, size
    raise ValueError(f"no section {name}: no CUDA device code in this file")


def fatbin_entries(data, offset: int, size: int) -> tuple[int, collections.Counter]:
    """(number of containers, Counter of (kind, sm)) of the fat binaries in data[offset:offset+size]."""
    counts = collections.Counter()
    containers = 0
    pos, end = offset, offset + size
    while pos + 16 <= end:
        magic, _version, header_size, payload = struct.unpack_from("<IHHQ", data, pos)
        if magic != FATBIN_MAGIC:
            pos += 8  # containers are 8-byte aligned; padding between them
            continue
        containers += 1
        entry, stop = pos + header_size, pos + header_size + payload
        while entry < stop:
            kind, _v, entry_header, entry_payload = struct.unpack_from("<HHIQ", data, entry)
            sm, = struct.unpack_from("<I", data, entry + 28)
            counts[(KINDS.get(kind, f"kind {kind}"), sm)] += 1
            entry += entry_header + entry_payload
        pos = stop
    return containers, counts


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        offset, size = elf_section(data, ".nv_fatbin")
        containers, counts = fatbin_entries(data, offset, size)
    print(f"{argv[1]}: {containers} fat binaries in .nv_fatbin ({size} bytes)")
    for (kind, sm), n in sorted(counts.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        print(f"  sm_{sm} {kind}: {n}")
    if not any(kind == "PTX" for kind, _ in counts):
        print("  no PTX: runs only on the listed architectures (same major version, equal or higher minor)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
