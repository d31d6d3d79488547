"""deqbench_sweep equals the exported plans: one pod per node with the node's exact arguments,
dependencies from the node inputs, GPU resources for the nodes the plan marks (learned methods'
train, certify, attack), the plan's pool and timeout, and an up-to-date check that skips a node
before its pod starts."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import unittest
from datetime import timedelta
from pathlib import Path

from dag_loading import COMMITTED_PLANS, FIXTURE_PLANS, load_dag_module, plans, task_id


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
                    gpu = node["gpu"]
                    self.assertIn("deqbench_image_cuda" if gpu else "deqbench_image_cpu", t.image)
                    self.assertEqual(t.execution_timeout,
                                     timedelta(minutes=plan["deployment"]["execution_timeout_minutes"]))
                    self.assertEqual(getattr(t, "pool", None), plan["deployment"]["gpu_pool"] if gpu else None)
                    self.assertEqual(t.trigger_rule, "none_failed")
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

    def test_learned_methods_network_nodes_get_one_gpu_on_gpu_nodes_and_the_others_cpu_only(self):
        dag = load_dag_module("deqbench_sweep").dag
        gpu_nodes = {task_id(p["experiment"], n["id"]) for p in plans() for n in p["nodes"] if n["gpu"]}
        self.assertEqual(gpu_nodes, {f"tiny.{s}__{t}__mol-lr" for s in ("train", "certify", "attack")
                                     for t in ("mri", "blur")})
        for t in dag.tasks:
            res = t.container_resources
            with self.subTest(task=t.task_id):
                self.assertEqual(res.limits["memory"], res.requests["memory"])
                self.assertIn("cpu", res.requests)
                self.assertIn("cpu", res.limits)
                if t.task_id in gpu_nodes:
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
                    # modest CPU pods: at most 2 CPUs and 8 GiB requested
                    self.assertLessEqual(float(res.requests["cpu"]), 2)
                    self.assertLessEqual(int(res.requests["memory"].removesuffix("Gi")), 8)

    def test_weekly_sweep_requests_no_gpu_for_any_node_that_is_not_a_learned_methods_network(self):
        dag = load_dag_module("deqbench_sweep", COMMITTED_PLANS).dag
        learned = {"modl", "deq", "mol-sn", "mol-lr", "deq-gd", "rerg", "elder", "pnp", "red"}
        checked = 0
        for plan in plans(COMMITTED_PLANS):
            kinds = {m["name"]: m["kind"] for m in plan_spec_methods(plan)}
            for node in plan["nodes"]:
                t = dag.task_dict[task_id(plan["experiment"], node["id"])]
                # a per-task train node of a jointly trained method (train_on) copies its share of the
                # shared model's node train/joint/<method>: no network runs there
                share = node["stage"] == "train" and any(i.startswith("train/joint/") for i in node["inputs"])
                network = (node["stage"] in ("train", "certify", "attack") and kinds[node["method"]] in learned
                           and not share)
                self.assertEqual(node["gpu"], network, node["id"])
                if not network:
                    checked += 1
                    self.assertNotIn("nvidia.com/gpu", t.container_resources.requests, t.task_id)
                    self.assertNotIn("nvidia.com/gpu", t.container_resources.limits, t.task_id)
                    self.assertIsNone(getattr(t, "pool", None), t.task_id)
        self.assertGreater(checked, 50)
        self.assertEqual(dag.kwargs["max_active_tasks"],
                         max(p["deployment"]["max_active_tasks"] for p in plans(COMMITTED_PLANS)))

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


def plan_spec_methods(plan: dict) -> list[dict]:
    """The methods of a plan's spec (name, kind), read with the standard library: in the
    top-level ``methods:`` block, each ``name:`` and the ``kind:`` that follows it."""
    text = (COMMITTED_PLANS.parent.parent / plan["spec"]).read_text(encoding="utf-8")
    block = re.search(r"^methods:\n((?:[ #-].*\n|\n)*)", text + "\n", re.MULTILINE).group(1)
    block = "\n".join(line.split("#", 1)[0] for line in block.splitlines())
    return [{"name": n, "kind": k}
            for n, k in re.findall(r"-\s*\{?\s*name:\s*([\w.-]+)[\s\S]*?kind:\s*([\w-]+)", block)]


class UpToDateNodes(unittest.TestCase):
    """With DEQBENCH_WORKER_RUNS_DIR set, a node whose completion marker holds its plan hash and
    whose inputs are unchanged is skipped by its pre_execute hook: no pod is started."""

    def setUp(self):
        self.runs = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.runs)
        self.module = load_dag_module("deqbench_sweep", DEQBENCH_WORKER_RUNS_DIR=str(self.runs))
        self.plan = plans()[0]
        self.node = {n["id"]: n for n in self.plan["nodes"]}
        self.tiny = self.runs / "tiny"
        import airflow.sdk as sdk
        sdk.Variable.VALUES.clear()
        self.addCleanup(sdk.Variable.VALUES.clear)

    def complete(self, node_id: str, plan_hash: str | None = None, code_version: str = "sha256:abc"):
        folder = self.tiny / node_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "manifest.json").write_text(json.dumps({"node": node_id}), encoding="utf-8")
        inputs = {i: hashlib.sha256((self.tiny / i / "manifest.json").read_bytes()).hexdigest()
                  for i in self.node[node_id]["inputs"]}
        (folder / "_COMPLETE.json").write_text(json.dumps(
            {"node": node_id, "hash": plan_hash or self.node[node_id]["hash"], "code_version": code_version,
             "inputs": inputs}), encoding="utf-8")

    def run_hook(self, node_id: str):
        from airflow.exceptions import AirflowSkipException
        task = self.module.dag.task_dict[task_id("tiny", node_id)]
        hook = getattr(task, "pre_execute", None)
        self.assertTrue(callable(hook), "no up-to-date check on " + node_id)
        try:
            hook({})
        except AirflowSkipException as e:
            return str(e)
        return None

    def test_an_up_to_date_node_is_skipped_before_its_pod_starts_and_a_stale_one_runs(self):
        self.assertIsNone(self.run_hook("simulate/mri"), "nothing on the volume yet: the pod runs")
        self.complete("simulate/mri")
        self.assertIn("simulate/mri is up to date", self.run_hook("simulate/mri"))
        self.complete("train/mri/mol-lr")
        self.assertIsNotNone(self.run_hook("train/mri/mol-lr"))
        # an input rewritten since: the node runs again
        (self.tiny / "simulate/mri/manifest.json").write_text("{}", encoding="utf-8")
        self.assertIsNone(self.run_hook("train/mri/mol-lr"))
        # another plan hash (the spec changed): runs
        self.complete("simulate/mri", plan_hash="0" * 64)
        self.assertIsNone(self.run_hook("simulate/mri"))

    def test_the_code_version_variable_makes_nodes_of_other_code_run(self):
        self.complete("simulate/mri", code_version="sha256:old")
        self.assertIsNotNone(self.run_hook("simulate/mri"))
        import airflow.sdk as sdk
        sdk.Variable.VALUES["deqbench_code_version"] = "sha256:new"
        self.assertIsNone(self.run_hook("simulate/mri"))
        sdk.Variable.VALUES["deqbench_code_version"] = "sha256:old"
        self.assertIsNotNone(self.run_hook("simulate/mri"))

    def test_without_a_worker_view_of_the_volume_there_is_no_check(self):
        dag = load_dag_module("deqbench_sweep").dag
        self.assertTrue(all(getattr(t, "pre_execute", None) is None for t in dag.tasks))


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
