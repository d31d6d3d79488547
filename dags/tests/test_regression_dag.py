"""deqbench_regression_<experiment> runs that experiment's plan with the candidate image in a fresh
run directory and gates the run with 'deqbench compare': one DAG per experiment, holding only its
own plan's nodes."""
from __future__ import annotations

import unittest

from datetime import timedelta

from dag_loading import COMMITTED_PLANS, FIXTURE_PLANS, load_dag_module, plans


def task_id(_experiment: str, node_id: str) -> str:
    """Task ids in a per-experiment DAG: no group prefix."""
    return node_id.replace("/", "__")


class RegressionDag(unittest.TestCase):
    def setUp(self):
        self.module = load_dag_module("deqbench_regression")
        self.dag = self.module.DAGS["tiny"]
        self.plan = plans(FIXTURE_PLANS)[0]

    def test_conf_image_experiment_and_baseline_are_required_params(self):
        p = self.dag.params
        self.assertIsNone(self.dag.schedule)
        for name in ("image", "baseline"):
            self.assertTrue(p[name].required, name)
        self.assertFalse(p["gpu_image"].required)
        self.assertFalse(p["experiment"].required)
        self.assertEqual(p["experiment"].schema["enum"], ["tiny"], "a conf naming another experiment is refused")
        self.assertEqual(self.dag.dag_id, "deqbench_regression_tiny")
        self.assertIs(getattr(self.module, "deqbench_regression_tiny"), self.dag, "found by the DAG processor")
        self.assertEqual(self.dag.kwargs["max_active_tasks"], self.plan["deployment"]["max_active_tasks"])

    def test_plan_nodes_run_with_their_args_in_a_fresh_candidate_run_directory(self):
        candidate = "/runs/regression/tiny/{{ run_id | replace(':', '-') | replace('+', '-') }}"
        for node in self.plan["nodes"]:
            t = self.dag.task_dict[task_id("tiny", node["id"])]
            expected = list(node["args"])
            expected[expected.index("--run-dir") + 1] = candidate
            self.assertEqual(t.arguments, expected)
            self.assertEqual(t.upstream_task_ids, {task_id("tiny", i) for i in node["inputs"]})
            self.assertIsNone(getattr(t, "pre_execute", None), "a fresh run directory: nothing to skip")
            gpu = node["gpu"]
            self.assertEqual(t.image, "{{ params.gpu_image or (params.image ~ '-cuda') }}" if gpu
                             else "{{ params.image }}")
            self.assertEqual("nvidia.com/gpu" in t.container_resources.limits, gpu)

    def test_compare_follows_the_report_and_gates_against_the_baseline_with_the_specs_tolerances(self):
        compare = self.dag.task_dict["compare"]
        self.assertEqual(compare.upstream_task_ids, {"report"})
        self.assertEqual(compare.arguments,
                         ["compare", "--spec", "experiments/tiny.yaml", "--", "{{ params.baseline }}",
                          "/runs/regression/tiny/{{ run_id | replace(':', '-') | replace('+', '-') }}"])
        self.assertEqual(compare.image, "{{ params.image }}")
        self.assertEqual(compare.retries, 0)
        self.assertNotIn("nvidia.com/gpu", compare.container_resources.limits)
        self.assertEqual(compare.on_finish_action, "delete_succeeded_pod")
        self.assertEqual(compare.execution_timeout,
                         timedelta(minutes=self.plan["deployment"]["execution_timeout_minutes"]))

    def test_the_baseline_param_accepts_runs_and_run_ids_but_never_an_option(self):
        import re
        pattern = re.compile(self.dag.params["baseline"].schema["pattern"])
        for good in ("/runs/quickstart", "/runs/regression/tiny/manual__2026-01-01", "0123456789abcdef0123456789abcdef",
                     "runs:/0123456789abcdef0123456789abcdef"):
            self.assertRegex(good, pattern)
        for bad in ("--help", "-h", "/etc/passwd", "/runs/--help", "quickstart --allow-different-specs", "",
                    "/runs/a b"):
            self.assertIsNone(pattern.match(bad), bad)

    def test_the_dag_holds_only_its_experiments_nodes_and_the_gate(self):
        self.assertEqual(set(self.dag.task_dict),
                         {task_id("tiny", n["id"]) for n in self.plan["nodes"]} | {"compare"})

    def test_every_experiment_with_a_committed_plan_has_its_own_regression_dag(self):
        module = load_dag_module("deqbench_regression", COMMITTED_PLANS)
        committed = plans(COMMITTED_PLANS)
        self.assertEqual(sorted(module.DAGS), sorted(p["experiment"] for p in committed))
        for plan in committed:
            dag = module.DAGS[plan["experiment"]]
            self.assertEqual(dag.params["experiment"].schema["enum"], [plan["experiment"]])
            self.assertEqual(len(dag.task_dict), len(plan["nodes"]) + 1, plan["experiment"])
            self.assertIn("compare", dag.task_dict)


if __name__ == "__main__":
    unittest.main()
