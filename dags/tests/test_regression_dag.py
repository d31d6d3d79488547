"""deqbench_regression runs the requested experiment's plan with the candidate image in a fresh
run directory and gates the run with 'deqbench compare'."""
from __future__ import annotations

import unittest

from dag_loading import COMMITTED_PLANS, FIXTURE_PLANS, load_dag_module, plans, task_id

GPU_STAGES = {"train", "certify", "attack"}


class RegressionDag(unittest.TestCase):
    def setUp(self):
        self.module = load_dag_module("deqbench_regression")
        self.dag = self.module.dag
        self.plan = plans(FIXTURE_PLANS)[0]

    def test_conf_image_experiment_and_baseline_are_required_params(self):
        p = self.dag.params
        self.assertIsNone(self.dag.schedule)
        for name in ("image", "experiment", "baseline"):
            self.assertTrue(p[name].required, name)
        self.assertFalse(p["gpu_image"].required)
        self.assertEqual(p["experiment"].schema["enum"], ["tiny"])

    def test_plan_nodes_run_with_their_args_in_a_fresh_candidate_run_directory(self):
        candidate = "/runs/regression/tiny/{{ run_id | replace(':', '-') | replace('+', '-') }}"
        for node in self.plan["nodes"]:
            t = self.dag.task_dict[task_id("tiny", node["id"])]
            expected = list(node["args"])
            expected[expected.index("--run-dir") + 1] = candidate
            self.assertEqual(t.arguments, expected)
            self.assertEqual(t.upstream_task_ids,
                             {task_id("tiny", i) for i in node["inputs"]} or {"select_experiment"})
            gpu = node["stage"] in GPU_STAGES
            self.assertEqual(t.image, "{{ params.gpu_image or (params.image ~ '-cuda') }}" if gpu
                             else "{{ params.image }}")
            self.assertEqual("nvidia.com/gpu" in t.container_resources.limits, gpu)

    def test_compare_follows_the_report_and_gates_against_the_baseline_with_the_specs_tolerances(self):
        compare = self.dag.task_dict["tiny.compare"]
        self.assertEqual(compare.upstream_task_ids, {"tiny.report"})
        self.assertEqual(compare.arguments,
                         ["compare", "--spec", "experiments/tiny.yaml", "--", "{{ params.baseline }}",
                          "/runs/regression/tiny/{{ run_id | replace(':', '-') | replace('+', '-') }}"])
        self.assertEqual(compare.image, "{{ params.image }}")
        self.assertEqual(compare.retries, 0)
        self.assertNotIn("nvidia.com/gpu", compare.container_resources.limits)
        self.assertEqual(compare.on_finish_action, "delete_succeeded_pod")

    def test_the_baseline_param_accepts_runs_and_run_ids_but_never_an_option(self):
        import re
        pattern = re.compile(self.dag.params["baseline"].schema["pattern"])
        for good in ("/runs/quickstart", "/runs/regression/tiny/manual__2026-01-01", "0123456789abcdef0123456789abcdef",
                     "runs:/0123456789abcdef0123456789abcdef"):
            self.assertRegex(good, pattern)
        for bad in ("--help", "-h", "/etc/passwd", "/runs/--help", "quickstart --allow-different-specs", "",
                    "/runs/a b"):
            self.assertIsNone(pattern.match(bad), bad)

    def test_branch_starts_only_the_requested_experiments_first_nodes(self):
        select = self.dag.task_dict["select_experiment"]
        chosen = select.python_callable(params={"experiment": "tiny"})
        self.assertEqual(sorted(chosen), ["tiny.simulate__blur", "tiny.simulate__mri"])
        self.assertEqual(select.downstream_task_ids, set(chosen))
        with self.assertRaisesRegex(ValueError, r"expected one of \['tiny'\].*'nope'"):
            select.python_callable(params={"experiment": "nope"})

    def test_every_experiment_with_a_committed_plan_can_be_gated(self):
        dag = load_dag_module("deqbench_regression", COMMITTED_PLANS).dag
        names = sorted(p["experiment"] for p in plans(COMMITTED_PLANS))
        self.assertEqual(dag.params["experiment"].schema["enum"], names)
        for name in names:
            self.assertIn(f"{name}.compare", dag.task_dict)


if __name__ == "__main__":
    unittest.main()
