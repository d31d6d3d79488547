"""deqbench_sweep equals the exported plans: one pod per node with the node's exact arguments,
dependencies from the node inputs, GPU resources for the network stages."""
from __future__ import annotations

import json
import shutil
import tempfile
import unittest
from datetime import timedelta
from pathlib import Path

from dag_loading import COMMITTED_PLANS, FIXTURE_PLANS, load_dag_module, plans, task_id

GPU_STAGES = {"train", "certify", "attack"}


class SweepDagMatchesPlans(unittest.TestCase):
    def check_dag_equals_plans(self, plans_dir: Path):
        module = load_dag_module("deqbench_sweep", plans_dir)
        dag = module.dag
        expected_ids = set()
        for plan in plans(plans_dir):
            exp = plan["experiment"]
            self.assertIn(exp, dag.task_group_ids)
            for node in plan["nodes"]:
                tid = task_id(exp, node["id"])
                expected_ids.add(tid)
                t = dag.task_dict[tid]
                with self.subTest(task=tid):
                    self.assertEqual(t.cmds, ["deqbench"])
                    self.assertEqual(t.arguments, node["args"])
                    self.assertEqual(t.upstream_task_ids, {task_id(exp, i) for i in node["inputs"]})
                    self.assertEqual(t.group_id, exp)
                    gpu = node["stage"] in GPU_STAGES
                    self.assertIn("deqbench_image_cuda" if gpu else "deqbench_image_cpu", t.image)
                    self.assertEqual(t.labels["deqbench.org/stage"], node["stage"])
        self.assertEqual(set(dag.task_dict), expected_ids, "tasks that are not plan nodes, or nodes without a task")
        return dag

    def test_fixture_plan_becomes_one_pod_per_node_with_the_nodes_args_and_inputs(self):
        dag = self.check_dag_equals_plans(FIXTURE_PLANS)
        self.assertEqual(len(dag.task_dict), 15)
        report = dag.task_dict["tiny.report"]
        # 2 simulate (ground truth for the figures) + 2 tasks × 2 methods × (train, certify, attack)
        self.assertEqual(len(report.upstream_task_ids), 14)
        self.assertEqual(report.arguments,
                         ["report", "--spec", "experiments/tiny.yaml", "--run-dir", "/runs/tiny"])

    def test_committed_plans_become_the_dag(self):
        self.assertTrue(list(COMMITTED_PLANS.glob("*.json")), "dags/plans/ holds no plan")
        self.check_dag_equals_plans(COMMITTED_PLANS)

    def test_network_stages_get_one_gpu_on_gpu_nodes_and_the_others_cpu_only(self):
        dag = load_dag_module("deqbench_sweep").dag
        for t in dag.tasks:
            stage = t.labels["deqbench.org/stage"]
            res = t.container_resources
            with self.subTest(task=t.task_id):
                self.assertEqual(res.limits["memory"], res.requests["memory"])
                self.assertIn("cpu", res.requests)
                self.assertIn("cpu", res.limits)
                if stage in GPU_STAGES:
                    self.assertEqual(res.limits["nvidia.com/gpu"], "1")
                    self.assertEqual(t.node_selector, {"nvidia.com/gpu.present": "true"})
                    self.assertEqual([(x.key, x.operator, x.effect) for x in t.tolerations],
                                     [("nvidia.com/gpu", "Exists", "NoSchedule")])
                    self.assertGreaterEqual(t.startup_timeout_seconds, 1800)
                else:
                    self.assertNotIn("nvidia.com/gpu", res.limits)
                    self.assertNotIn("nvidia.com/gpu", res.requests)
                    self.assertIsNone(t.node_selector)
                    self.assertIsNone(t.tolerations)

    def test_cpu_accelerator_runs_every_stage_on_the_cpu_image_without_gpus(self):
        dag = load_dag_module("deqbench_sweep", DEQBENCH_ACCELERATOR="cpu").dag
        for t in dag.tasks:
            self.assertIn("deqbench_image_cpu", t.image)
            self.assertNotIn("nvidia.com/gpu", t.container_resources.limits)
            self.assertIsNone(t.tolerations)

    def test_gpu_node_selector_comes_from_the_environment(self):
        dag = load_dag_module("deqbench_sweep", DEQBENCH_GPU_NODE_SELECTOR="pool=a100,zone=b").dag
        self.assertEqual(dag.task_dict["tiny.train__mri__mol-lr"].node_selector, {"pool": "a100", "zone": "b"})
        with self.assertRaisesRegex(ValueError, "key=value"):
            load_dag_module("deqbench_sweep", DEQBENCH_GPU_NODE_SELECTOR="a100")

    def test_every_pod_mounts_the_runs_volume_and_reads_mlflow_settings_from_configmap_and_secret(self):
        dag = load_dag_module("deqbench_sweep").dag
        for t in dag.tasks:
            with self.subTest(task=t.task_id):
                runs = [v for v in t.volumes if v.persistent_volume_claim is not None]
                self.assertEqual([v.persistent_volume_claim.claim_name for v in runs], ["deqbench-runs"])
                self.assertIn(("runs", "/runs"), [(m.name, m.mount_path) for m in t.volume_mounts])
                self.assertIn(("tmp", "/tmp"), [(m.name, m.mount_path) for m in t.volume_mounts])
                self.assertEqual([e.config_map_ref.name for e in t.env_from if e.config_map_ref],
                                 ["deqbench-pipeline-env"])
                self.assertEqual([e.secret_ref.name for e in t.env_from if e.secret_ref],
                                 ["deqbench-mlflow-credentials"])
                self.assertEqual(t.namespace, "deqbench")
                self.assertEqual(t.service_account_name, "deqbench-pipeline")
                self.assertEqual(t.labels["deqbench.org/mlflow-client"], "true")

    def test_pods_run_non_root_read_only_and_without_privileges(self):
        for t in load_dag_module("deqbench_sweep").dag.tasks:
            self.assertTrue(t.security_context["runAsNonRoot"])
            self.assertNotEqual(t.security_context["runAsUser"], 0)
            c = t.container_security_context
            self.assertEqual(c, {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                 "capabilities": {"drop": ["ALL"]}})

    def test_failed_pods_are_kept_and_transient_failures_retried(self):
        for t in load_dag_module("deqbench_sweep").dag.tasks:
            self.assertEqual(t.on_finish_action, "delete_succeeded_pod")
            self.assertGreaterEqual(t.retries, 1)
            self.assertGreaterEqual(t.retry_delay, timedelta(minutes=1))

    def test_schedule_is_weekly_unless_overridden(self):
        self.assertEqual(load_dag_module("deqbench_sweep").dag.schedule, "@weekly")
        self.assertEqual(load_dag_module("deqbench_sweep", DEQBENCH_SWEEP_SCHEDULE="0 3 * * *").dag.schedule,
                         "0 3 * * *")
        self.assertIsNone(load_dag_module("deqbench_sweep", DEQBENCH_SWEEP_SCHEDULE="none").dag.schedule)


class PlanLoading(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.dir)

    def test_an_empty_plans_folder_fails_the_import_with_the_export_command(self):
        with self.assertRaisesRegex(FileNotFoundError, "export_plans.sh"):
            load_dag_module("deqbench_sweep", self.dir)

    def test_a_plan_out_of_dependency_order_is_rejected_naming_the_file_and_node(self):
        plan = plans(FIXTURE_PLANS)[0]
        plan["nodes"].reverse()
        (self.dir / "tiny.json").write_text(json.dumps(plan))
        with self.assertRaisesRegex(ValueError, r"tiny\.json: node 'report' reads"):
            load_dag_module("deqbench_sweep", self.dir)

    def test_a_plan_with_an_unknown_stage_is_rejected(self):
        plan = plans(FIXTURE_PLANS)[0]
        plan["nodes"][0]["stage"] = "simulatee"
        (self.dir / "tiny.json").write_text(json.dumps(plan))
        with self.assertRaisesRegex(ValueError, r"nodes\[0\]\.stage.*'simulatee'"):
            load_dag_module("deqbench_sweep", self.dir)


if __name__ == "__main__":
    unittest.main()
