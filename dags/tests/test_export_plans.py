"""dags/export_plans.sh writes one plan per experiments/*.yaml, named after the experiment, with the
spec path relative to the repository root and run directory /runs/<experiment>; stale plans go."""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

DAGS = Path(__file__).resolve().parents[1]

# Stand-in for 'deqbench plan <spec> [--run-dir DIR]': echoes what it was given as a plan.
FAKE_DEQBENCH = """#!/usr/bin/env python3
import json, re, sys
args = sys.argv[1:]
assert args[0] == "plan", args
spec = args[1]
run_dir = args[args.index("--run-dir") + 1] if "--run-dir" in args else None
name = re.search(r"^name: *(\\S+)", open(spec).read(), re.M).group(1)
with open("calls.log", "a") as log:
    log.write(" ".join(args) + "\\n")
print(json.dumps({"experiment": name, "spec": spec, "run_dir": run_dir or "runs/" + name, "nodes": []}))
"""


class ExportPlans(unittest.TestCase):
    def setUp(self):
        self.repo = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.repo)
        (self.repo / "dags" / "plans").mkdir(parents=True)
        shutil.copy(DAGS / "export_plans.sh", self.repo / "dags" / "export_plans.sh")
        (self.repo / "experiments").mkdir()
        fake = self.repo / "fake-deqbench"
        fake.write_text(FAKE_DEQBENCH)
        fake.chmod(0o755)

    def export(self):
        return subprocess.run(["sh", str(self.repo / "dags" / "export_plans.sh")], capture_output=True, text=True,
                              env={"PATH": "/usr/bin:/bin:/usr/local/bin", "DEQBENCH": str(self.repo / "fake-deqbench")})

    def test_one_plan_per_spec_named_after_the_experiment_with_image_paths(self):
        (self.repo / "experiments" / "quick.yaml").write_text("name: quickstart\n")
        (self.repo / "experiments" / "sweep.yaml").write_text("name: paper-sweep\n")
        (self.repo / "dags" / "plans" / "removed.json").write_text("{}")
        res = self.export()
        self.assertEqual(res.returncode, 0, res.stderr)
        files = sorted(p.name for p in (self.repo / "dags" / "plans").iterdir())
        self.assertEqual(files, ["paper-sweep.json", "quickstart.json"])
        plan = json.loads((self.repo / "dags" / "plans" / "quickstart.json").read_text())
        self.assertEqual(plan["spec"], "experiments/quick.yaml")
        self.assertEqual(plan["run_dir"], "/runs/quickstart")

    def test_no_specs_is_an_error(self):
        res = self.export()
        self.assertEqual(res.returncode, 2)
        self.assertIn("no experiments/*.yaml", res.stderr)


if __name__ == "__main__":
    unittest.main()
