"""docker/cuda/list_kernels.py reads the cubins and PTX of a CUDA library's .nv_fatbin section;
checked on a small ELF file built here with the same layout (section table, fat binary containers
with padding between them, cubin and PTX entries)."""
from __future__ import annotations

import collections
import importlib.util
import struct
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("list_kernels", ROOT / "docker" / "cuda" / "list_kernels.py")
list_kernels = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(list_kernels)


def entry(kind: int, sm: int, payload: bytes) -> bytes:
    header = struct.pack("<HHIQ", kind, 0x0101, 64, len(payload)) + bytes(12) + struct.pack("<I", sm)
    return header + bytes(64 - len(header)) + payload


def container(*entries: bytes) -> bytes:
    body = b"".join(entries)
    return struct.pack("<IHHQ", list_kernels.FATBIN_MAGIC, 1, 16, len(body)) + body


def elf(sections: dict[str, bytes]) -> bytes:
    """A little-endian ELF64 file with a null section, the given sections and .shstrtab."""
    names = [""] + list(sections) + [".shstrtab"]
    strtab = b"".join(n.encode() + b"\0" for n in names)
    contents = [b""] + list(sections.values()) + [strtab]
    data = bytearray(64)
    offsets = []
    for c in contents:
        offsets.append(len(data))
        data += c + bytes(-len(c) % 8)
    shoff = len(data)
    name_offsets, at = [], 0
    for n in names:
        name_offsets.append(at)
        at += len(n) + 1
    for name_off, off, c in zip(name_offsets, offsets, contents):
        data += struct.pack("<IIQQQQIIQQ", name_off, 1, 0, 0, off, len(c), 0, 0, 8, 0)
    data[0:16] = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    struct.pack_into("<Q", data, 0x28, shoff)
    struct.pack_into("<HHH", data, 0x3A, 64, len(names), len(names) - 1)
    return bytes(data)


class ListKernels(unittest.TestCase):
    def test_counts_cubins_and_ptx_per_architecture_across_padded_containers(self):
        fatbin = (container(entry(2, 80, b"a" * 40), entry(2, 86, b"b" * 24)) + bytes(8)
                  + container(entry(2, 86, b"c" * 8), entry(1, 86, b"ptx text")))
        data = elf({".text": b"\x90" * 24, ".nv_fatbin": fatbin})
        offset, size = list_kernels.elf_section(data, ".nv_fatbin")
        self.assertEqual(size, len(fatbin))
        containers, counts = list_kernels.fatbin_entries(data, offset, size)
        self.assertEqual(containers, 2)
        self.assertEqual(counts, collections.Counter({("cubin", 80): 1, ("cubin", 86): 2, ("PTX", 86): 1}))

    def test_main_reports_the_absence_of_ptx(self):
        data = elf({".nv_fatbin": container(entry(2, 37, b"x" * 16), entry(2, 86, b"y" * 16))})
        with tempfile.NamedTemporaryFile(suffix=".so") as f:
            f.write(data)
            f.flush()
            from contextlib import redirect_stdout
            from io import StringIO
            out = StringIO()
            with redirect_stdout(out):
                self.assertEqual(list_kernels.main(["list_kernels.py", f.name]), 0)
        text = out.getvalue()
        self.assertIn("1 fat binaries", text)
        self.assertIn("sm_37 cubin: 1", text)
        self.assertIn("no PTX", text)

    def test_files_without_device_code_are_named_as_such(self):
        with self.assertRaisesRegex(ValueError, "no section .nv_fatbin"):
            list_kernels.elf_section(elf({".text": b"\x90"}), ".nv_fatbin")
        with self.assertRaisesRegex(ValueError, "not a little-endian 64-bit ELF"):
            list_kernels.elf_section(b"PK\x03\x04" + bytes(60), ".nv_fatbin")


if __name__ == "__main__":
    unittest.main()
