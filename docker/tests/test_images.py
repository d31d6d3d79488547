"""The Dockerfiles and the entrypoint, checked without a Docker engine: what they copy exists and
is in the build context, they run as the user the pods expect, the CUDA image pairs the cuda
Maven profile with a CUDA 11.6 runtime, and the entrypoint sizes memory from the cgroup limit."""
from __future__ import annotations

import fnmatch
import os
import re
import stat
import subprocess
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
STAGE_IMAGES = {"cpu": DOCKER / "cpu" / "Dockerfile", "cuda": DOCKER / "cuda" / "Dockerfile"}


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def final_stage(dockerfile: Path) -> list[tuple[str, str]]:
    ins = instructions(dockerfile)
    last_from = max(i for i, (w, _) in enumerate(ins) if w == "FROM")
    return ins[last_from:]


def included(path: str, ignore: Path) -> bool:
    """Docker's rule: the last matching pattern decides; '!' re-includes."""
    keep = True
    for pat in ignore.read_text().splitlines():
        pat = pat.strip()
        if not pat or pat.startswith("#"):
            continue
        neg = pat.startswith("!")
        pat = pat.lstrip("!")
        if fnmatch.fnmatch(path, pat) or path.startswith(pat.rstrip("/") + "/"):
            keep = neg
    return keep


class Dockerfiles(unittest.TestCase):
    def test_copied_sources_exist_and_are_in_the_build_context(self):
        for name, df in STAGE_IMAGES.items():
            ignore = df.with_name("Dockerfile.dockerignore")
            for word, rest in instructions(df):
                if word != "COPY" or "--from=" in rest:
                    continue
                for src in rest.split()[:-1]:
                    with self.subTest(image=name, source=src):
                        self.assertTrue((ROOT / src).exists(), f"{src} does not exist")
                        files = [src] if (ROOT / src).is_file() else [
                            str(p.relative_to(ROOT)) for p in (ROOT / src).rglob("*") if p.is_file()]
                        self.assertTrue(any(included(f, ignore) for f in files), f"{src} is excluded by {ignore.name}")
            for needed in ("pipeline/pom.xml", "stages/pom.xml", "pipeline/src/main/java/org/deqbench/plan/Planner.java",
                           "stages/src/main/java/org/deqbench/stages/CompareCommand.java", "experiments/quickstart.yaml"):
                self.assertTrue(included(needed, ignore), f"{needed} is excluded by {ignore.name}")
            for excluded in ("stages/target/deqbench.jar", "runs/quickstart/report/summary.json",
                             "pipeline/src/test/java/x.java"):
                self.assertFalse(included(excluded, ignore), f"{excluded} must not enter the build context")

    def test_images_run_deqbench_as_the_non_root_user_the_pods_declare(self):
        uid = re.search(r"IMAGE_UID = (\d+)", (ROOT / "dags" / "deqbench_pods.py").read_text()).group(1)
        job = (ROOT / "k8s" / "jobs" / "stage-job-cpu.yaml").read_text()
        self.assertIn(f"runAsUser: {uid}", job)
        for name, df in STAGE_IMAGES.items():
            stage = dict(final_stage(df))
            with self.subTest(image=name):
                self.assertEqual(stage["USER"], f"{uid}:{uid}")
                self.assertEqual(stage["ENTRYPOINT"], '["deqbench"]')
                self.assertEqual(stage["WORKDIR"], "/opt/deqbench")
                self.assertEqual(stage["VOLUME"], '["/runs"]')
                copies = [r for w, r in final_stage(df) if w == "COPY"]
                self.assertIn("experiments experiments", copies)
                self.assertIn("docker/deqbench /usr/local/bin/deqbench", copies)
                self.assertIn("--from=build /src/stages/target/lib lib", copies)
        mlflow = dict(final_stage(DOCKER / "mlflow" / "Dockerfile"))
        self.assertEqual(mlflow["USER"], "10001:10001")
        self.assertIn("runAsUser: 10001", (ROOT / "k8s" / "base" / "mlflow.yaml").read_text())
        self.assertIn("mlflow==2.17.2", mlflow["RUN"])
        self.assertIn("psycopg2", mlflow["RUN"])

    def test_cuda_image_builds_the_cuda_profile_on_a_cuda_11_6_cudnn8_runtime(self):
        ins = instructions(STAGE_IMAGES["cuda"])
        builds = [r for w, r in ins if w == "RUN" and "mvnw" in r]
        self.assertEqual(len(builds), 1)
        self.assertIn("-Pcuda", builds[0])
        self.assertRegex(final_stage(STAGE_IMAGES["cuda"])[0][1], r"^nvidia/cuda:11\.6\.\d+-cudnn8-runtime-ubuntu")
        cpu_builds = [r for w, r in instructions(STAGE_IMAGES["cpu"]) if w == "RUN" and "mvnw" in r]
        self.assertNotIn("-Pcuda", cpu_builds[0])
        self.assertRegex(final_stage(STAGE_IMAGES["cpu"])[0][1], r"^eclipse-temurin:17-jre")


class Entrypoint(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        fake_java = self.tmp / "java"
        fake_java.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n')
        fake_java.chmod(fake_java.stat().st_mode | stat.S_IEXEC)

    def tearDown(self):
        for p in self.tmp.iterdir():
            p.unlink()
        self.tmp.rmdir()

    def run_entrypoint(self, *args, limit=None, java_opts=None):
        env = {"PATH": f"{self.tmp}:{os.environ.get('PATH', '/usr/bin:/bin')}",
               "DEQBENCH_HOME": "/opt/deqbench"}
        files = []
        if limit is not None:
            (self.tmp / "memory.max").write_text(limit + "\n")
            files.append(str(self.tmp / "memory.max"))
        env["DEQBENCH_CGROUP_MEMORY_FILES"] = " ".join(files) or str(self.tmp / "absent")
        if java_opts is not None:
            env["DEQBENCH_JAVA_OPTS"] = java_opts
        res = subprocess.run(["sh", str(DOCKER / "deqbench"), *args], env=env, capture_output=True, text=True,
                             check=True)
        return res.stdout.splitlines()

    def test_memory_limit_sets_heap_and_javacpp_pools(self):
        gib8 = str(8 * 2**30)
        argv = self.run_entrypoint("simulate", "--task", "a b", limit=gib8)
        self.assertIn(f"-Xmx{2 * 2**30}", argv)
        self.assertIn(f"-Dorg.bytedeco.javacpp.maxbytes={4 * 2**30}", argv)
        self.assertIn(f"-Dorg.bytedeco.javacpp.maxphysicalbytes={8 * 2**30 // 10 * 9}", argv)
        self.assertIn("-Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp-cache", argv)
        self.assertEqual(argv[-5:], ["-jar", "/opt/deqbench/deqbench.jar", "simulate", "--task", "a b"])

    def test_no_limit_falls_back_to_a_share_of_ram_and_options_can_be_given(self):
        self.assertIn("-XX:MaxRAMPercentage=25", self.run_entrypoint("report", limit="max"))
        self.assertIn("-XX:MaxRAMPercentage=25", self.run_entrypoint("report", limit="9223372036854771712"))
        argv = self.run_entrypoint("report", limit=str(2**30), java_opts="-Xmx1g -Dx=y")
        self.assertIn("-Xmx1g", argv)
        self.assertIn("-Dx=y", argv)
        self.assertFalse(any(a.startswith("-Dorg.bytedeco.javacpp.maxbytes") for a in argv))


if __name__ == "__main__":
    unittest.main()
