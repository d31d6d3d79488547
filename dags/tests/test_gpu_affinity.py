"""Every GPU pod of both DAGs carries a required node affinity that keeps it off GPUs the CUDA
image has no kernels for (ND4J 1.0.0-M2.1: compute capability 3.7-3.x and 5.0-8.x; no Hopper 9.0,
no Blackwell 10.x/12.x), evaluated here the way the Kubernetes scheduler evaluates it against the
node labels of NVIDIA GPU feature discovery."""
from __future__ import annotations

import unittest

from dag_loading import COMMITTED_PLANS, FIXTURE_PLANS, load_dag_module

MAJOR = "nvidia.com/gpu.compute.major"
MINOR = "nvidia.com/gpu.compute.minor"

# (major, minor) -> does the CUDA image run there
CAPABILITIES = {(8, 6): True, (8, 9): True, (8, 0): True, (7, 5): True, (7, 0): True, (6, 1): True,
                (5, 0): True, (3, 7): True, (9, 0): False, (10, 0): False, (12, 0): False, (3, 5): False,
                (3, 0): False, (2, 1): False}


def _matches(req, labels: dict) -> bool:
    """One NodeSelectorRequirement against a node's labels (Kubernetes semantics)."""
    value = labels.get(req.key)
    if req.operator == "In":
        return value is not None and value in req.values
    if req.operator == "NotIn":
        return value is None or value not in req.values
    if req.operator == "Exists":
        return value is not None
    if req.operator == "DoesNotExist":
        return value is None
    if req.operator in ("Gt", "Lt"):
        if value is None or len(req.values) != 1:
            return False
        try:
            have, bound = int(value), int(req.values[0])
        except ValueError:
            return False
        return have > bound if req.operator == "Gt" else have < bound
    raise AssertionError(f"unknown operator {req.operator!r}")


def admits(affinity, labels: dict) -> bool:
    """Whether a node with ``labels`` satisfies the required node affinity (terms ORed, the
    expressions of a term ANDed)."""
    required = affinity.node_affinity.required_during_scheduling_ignored_during_execution
    return any(all(_matches(r, labels) for r in term.match_expressions) for term in required.node_selector_terms)


def gpu_node(major: int, minor: int) -> dict:
    return {"nvidia.com/gpu.present": "true", MAJOR: str(major), MINOR: str(minor)}


class GpuPodsAvoidGpusWithoutKernels(unittest.TestCase):
    def gpu_pods(self, dag):
        return [t for t in dag.tasks if hasattr(t, "container_resources")
                and "nvidia.com/gpu" in t.container_resources.limits]

    def test_every_gpu_pod_of_both_dags_admits_exactly_the_supported_capabilities(self):
        for name in ("deqbench_sweep", "deqbench_regression"):
            for plans_dir in (FIXTURE_PLANS, COMMITTED_PLANS):
                module = load_dag_module(name, plans_dir)
                dags = list(module.DAGS.values()) if name == "deqbench_regression" else [module.dag]
                all_tasks = [t for d in dags for t in d.tasks]
                gpu = [t for d in dags for t in self.gpu_pods(d)]
                self.assertTrue(gpu, f"{name}: no GPU pod")
                for t in all_tasks:
                    if t not in gpu:
                        self.assertIsNone(getattr(t, "affinity", None), f"{name} {t.task_id}: CPU pod with affinity")
                for t in gpu:
                    with self.subTest(dag=name, task=t.task_id):
                        self.assertIsNotNone(t.affinity, "GPU pod without node affinity")
                        for (major, minor), runs in CAPABILITIES.items():
                            self.assertEqual(admits(t.affinity, gpu_node(major, minor)), runs, f"{major}.{minor}")
                        self.assertFalse(admits(t.affinity, {"nvidia.com/gpu.present": "true"}),
                                         "a GPU node without the compute labels is not admitted")

    def test_the_affinity_admits_every_capability_some_cubin_runs_on_and_no_other(self):
        module = load_dag_module("deqbench_sweep")
        affinity = module.deqbench_pods.GPU_AFFINITY
        for major in range(1, 13):
            for minor in range(10):
                runs = any(major == cm and minor >= cn for cm, cn in module.deqbench_pods.ND4J_CUBINS)
                self.assertEqual(admits(affinity, gpu_node(major, minor)), runs, f"{major}.{minor}")

    def test_product_labels_are_the_fallback_for_clusters_without_compute_labels(self):
        dag = load_dag_module("deqbench_sweep", DEQBENCH_GPU_AFFINITY="product=NVIDIA-A100-SXM4-40GB, Tesla-T4").dag
        t = dag.task_dict["tiny.train__mri__mol-lr"]
        self.assertTrue(admits(t.affinity, {"nvidia.com/gpu.product": "Tesla-T4"}))
        self.assertTrue(admits(t.affinity, {"nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB"}))
        self.assertFalse(admits(t.affinity, {"nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3"}))
        self.assertFalse(admits(t.affinity, gpu_node(8, 0)))

    def test_none_drops_the_affinity_and_a_typo_fails_the_import(self):
        dag = load_dag_module("deqbench_sweep", DEQBENCH_GPU_AFFINITY="none").dag
        self.assertTrue(all(t.affinity is None for t in dag.tasks))
        with self.assertRaisesRegex(ValueError, r"DEQBENCH_GPU_AFFINITY: expected 'compute'.*'hopper'"):
            load_dag_module("deqbench_sweep", DEQBENCH_GPU_AFFINITY="hopper")
        with self.assertRaisesRegex(ValueError, "product= needs"):
            load_dag_module("deqbench_sweep", DEQBENCH_GPU_AFFINITY="product=")

    def test_on_cpu_clusters_no_pod_has_an_affinity(self):
        dag = load_dag_module("deqbench_sweep", DEQBENCH_ACCELERATOR="cpu").dag
        self.assertTrue(all(t.affinity is None for t in dag.tasks))


if __name__ == "__main__":
    unittest.main()
