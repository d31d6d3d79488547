"""Builds KubernetesPodOperator tasks from exported deqbench plans.

A plan (``dags/plans/<experiment>.json``, written by ``dags/export_plans.sh`` from
``deqbench plan``) is the stage graph of one experiment: nodes ``{id, stage, task, method,
inputs, hash, args, gpu}`` in dependency order, and the experiment's ``deployment`` settings
(``gpu_pool``, ``execution_timeout_minutes``, ``max_active_tasks``, from the spec's
``deployment`` section or their defaults). Every node becomes one pod running
``deqbench <args>``; every input becomes a task dependency. A node asks for a GPU only when the
plan says so (``gpu``: train, certify and attack of learned methods); baselines, simulate and
report run in CPU pods with modest requests. GPU pods run in the plan's Airflow pool, every pod
under the plan's ``execution_timeout``. Nothing here is written per experiment: adding a spec
and re-exporting the plans adds its tasks.

Deployment settings are read from the environment of the DAG processor (parse time):

``DEQBENCH_PLANS_DIR``      folder of plan JSON files (default: ``plans/`` beside this file)
``DEQBENCH_NAMESPACE``      namespace the pods run in (default ``deqbench``)
``DEQBENCH_ACCELERATOR``    ``gpu`` (default): train/certify/attack request one NVIDIA GPU and run
                            the CUDA image; ``cpu``: every stage runs the CPU image on CPU nodes
``DEQBENCH_GPU_NODE_SELECTOR``  ``key=value[,key=value]`` for GPU pods (default
                            ``nvidia.com/gpu.present=true``)
``DEQBENCH_GPU_AFFINITY``   which GPUs the GPU pods may land on (ND4J 1.0.0-M2.1's CUDA backend has
                            kernels for compute capability 3.7-3.x and 5.0-8.x only: no Hopper or
                            Blackwell). ``compute`` (default): a required node affinity on the GPU
                            feature discovery labels ``nvidia.com/gpu.compute.major``/``.minor``;
                            ``product=<label>[,<label>]``: only nodes whose ``nvidia.com/gpu.product``
                            is listed (for clusters without the compute labels); ``none``: no affinity
``DEQBENCH_WORKER_RUNS_DIR`` where the Airflow worker sees the runs volume (the PVC mounted at
                            ``/runs`` in the pods). When set, a node whose completion marker
                            already holds its plan hash (and whose inputs are unchanged) is skipped
                            before its pod starts (``up_to_date``); unset (default): every node
                            starts its pod, which skips completed work itself

Images are resolved at run time from Airflow Variables (``deqbench_image_cpu``,
``deqbench_image_cuda``), so a new image needs no DAG change. The optional Variable
``deqbench_code_version`` (the images' ``DEQBENCH_CODE_VERSION``) makes the up-to-date check also
require that the node was made by that code; without it the check compares plan hashes and inputs
only, so nodes made by an older image are kept.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import timedelta
from pathlib import Path

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import Variable
from airflow.exceptions import AirflowSkipException
from kubernetes.client import models as k8s

PLANS_DIR = Path(os.environ.get("DEQBENCH_PLANS_DIR", Path(__file__).resolve().parent / "plans"))
NAMESPACE = os.environ.get("DEQBENCH_NAMESPACE", "deqbench")
ACCELERATOR = os.environ.get("DEQBENCH_ACCELERATOR", "gpu")
if ACCELERATOR not in ("gpu", "cpu"):
    raise ValueError(f"DEQBENCH_ACCELERATOR must be 'gpu' or 'cpu', found {ACCELERATOR!r}")

IMAGE_CPU = "{{ var.value.get('deqbench_image_cpu', 'registry.example.internal/deqbench:latest') }}"
IMAGE_CUDA = "{{ var.value.get('deqbench_image_cuda', 'registry.example.internal/deqbench:latest-cuda') }}"

WORKER_RUNS_DIR = os.environ.get("DEQBENCH_WORKER_RUNS_DIR") or None

# Stages that may run a network (the plan's node says whether it does: ``gpu``).
GPU_STAGES = frozenset({"train", "certify", "attack"})
STAGES = frozenset({"simulate", "train", "certify", "attack", "report"})
# The run store's completion marker and manifest (org.deqbench.plan.RunStore).
MARKER = "_COMPLETE.json"
MANIFEST = "manifest.json"

# Names shared with k8s/base (PVC, ConfigMap, Secret, ServiceAccount, NetworkPolicy label).
RUNS_PVC = "deqbench-runs"
RUNS_MOUNT = "/runs"
ENV_CONFIGMAP = "deqbench-pipeline-env"
ENV_SECRET = "deqbench-mlflow-credentials"
SERVICE_ACCOUNT = "deqbench-pipeline"
POD_LABELS = {
    "app.kubernetes.io/part-of": "deqbench",
    "app.kubernetes.io/component": "stage",
    # k8s/base/networkpolicies.yaml lets only pods with this label reach the MLflow server.
    "deqbench.org/mlflow-client": "true",
}
IMAGE_UID = 10001  # the non-root user of docker/cpu and docker/cuda

GPU_TOLERATIONS = [k8s.V1Toleration(key="nvidia.com/gpu", operator="Exists", effect="NoSchedule")]

# Compute capabilities (major, minor) with a cubin in ND4J 1.0.0-M2.1's libnd4jcuda.so, which has no
# PTX: a cubin runs on GPUs of the same major version and an equal or higher minor version only. The
# same list as org.deqbench.stages.gpu.Nd4jCudaKernels.CUBINS, whose preflight refuses other GPUs.
ND4J_CUBINS = ((3, 7), (5, 0), (5, 2), (6, 0), (6, 1), (7, 0), (7, 5), (8, 0), (8, 6))
# Node labels of NVIDIA GPU feature discovery (GPU operator / device plugin).
COMPUTE_MAJOR_LABEL = "nvidia.com/gpu.compute.major"
COMPUTE_MINOR_LABEL = "nvidia.com/gpu.compute.minor"
PRODUCT_LABEL = "nvidia.com/gpu.product"

# Transient failures (node preemption, image pull hiccups, evictions) are retried; the run store
# makes a retried node start from a clean temporary folder, and completed nodes are skipped.
RETRIES = 2
RETRY_DELAY = timedelta(minutes=5)


def _gpu_node_selector() -> dict:
    raw = os.environ.get("DEQBENCH_GPU_NODE_SELECTOR", "nvidia.com/gpu.present=true")
    selector = {}
    for pair in filter(None, (p.strip() for p in raw.split(","))):
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"DEQBENCH_GPU_NODE_SELECTOR: expected key=value pairs, found {pair!r}")
        selector[key] = value
    return selector


def _compute_capability_terms() -> list:
    """Node selector terms (ORed) admitting exactly the capabilities ND4J_CUBINS run on: one term
    for the major versions whose oldest cubin is M.0, one per major version starting later
    (``major In [M]`` and ``minor Gt m-1``)."""
    first_minor = {}
    for major, minor in ND4J_CUBINS:
        first_minor[major] = min(minor, first_minor.get(major, minor))
    whole = [str(m) for m in sorted(first_minor) if first_minor[m] == 0]
    terms = []
    if whole:
        terms.append(k8s.V1NodeSelectorTerm(match_expressions=[
            k8s.V1NodeSelectorRequirement(key=COMPUTE_MAJOR_LABEL, operator="In", values=whole)]))
    for major in sorted(m for m in first_minor if first_minor[m] > 0):
        terms.append(k8s.V1NodeSelectorTerm(match_expressions=[
            k8s.V1NodeSelectorRequirement(key=COMPUTE_MAJOR_LABEL, operator="In", values=[str(major)]),
            k8s.V1NodeSelectorRequirement(key=COMPUTE_MINOR_LABEL, operator="Gt",
                                          values=[str(first_minor[major] - 1)])]))
    return terms


def _gpu_affinity():
    """The required node affinity of GPU pods (DEQBENCH_GPU_AFFINITY), or None for ``none``."""
    raw = os.environ.get("DEQBENCH_GPU_AFFINITY", "compute").strip()
    if raw == "none":
        return None
    if raw == "compute":
        terms = _compute_capability_terms()
    elif raw.startswith("product="):
        products = [p.strip() for p in raw[len("product="):].split(",") if p.strip()]
        if not products:
            raise ValueError("DEQBENCH_GPU_AFFINITY: product= needs at least one nvidia.com/gpu.product value")
        terms = [k8s.V1NodeSelectorTerm(match_expressions=[
            k8s.V1NodeSelectorRequirement(key=PRODUCT_LABEL, operator="In", values=products)])]
    else:
        raise ValueError("DEQBENCH_GPU_AFFINITY: expected 'compute', 'product=<label>[,<label>]' or 'none', "
                         f"found {raw!r}")
    return k8s.V1Affinity(node_affinity=k8s.V1NodeAffinity(
        required_during_scheduling_ignored_during_execution=k8s.V1NodeSelector(node_selector_terms=terms)))


GPU_AFFINITY = _gpu_affinity()


def load_plans(plans_dir: Path | None = None) -> list[dict]:
    """Every plan in ``plans_dir``, sorted by experiment; fails naming the file on a bad plan."""
    folder = Path(plans_dir or PLANS_DIR)
    files = sorted(folder.glob("*.json"))
    if not files:
        raise FileNotFoundError(
            f"no plans in {folder}: export them with dags/export_plans.sh (deqbench plan <spec>)")
    plans = []
    for f in files:
        plan = json.loads(f.read_text(encoding="utf-8"))
        for key in ("experiment", "spec", "run_dir", "nodes"):
            if key not in plan:
                raise ValueError(f"{f}: not a deqbench plan, key {key!r} missing")
        for key in ("gpu_pool", "execution_timeout_minutes", "max_active_tasks"):
            if key not in (plan.get("deployment") or {}):
                raise ValueError(f"{f}: deployment.{key} missing; re-export the plans (dags/export_plans.sh)")
        seen = set()
        for i, node in enumerate(plan["nodes"]):
            for key in ("id", "stage", "inputs", "args", "gpu"):
                if key not in node:
                    raise ValueError(f"{f}: nodes[{i}]: key {key!r} missing")
            if node["stage"] not in STAGES:
                raise ValueError(f"{f}: nodes[{i}].stage: expected one of {sorted(STAGES)}, "
                                 f"found {node['stage']!r}")
            missing = [x for x in node["inputs"] if x not in seen]
            if missing:
                raise ValueError(f"{f}: node {node['id']!r} reads {missing}, which come later or "
                                 f"not at all; nodes must be in dependency order")
            seen.add(node["id"])
        plans.append(plan)
    names = [p["experiment"] for p in plans]
    if len(set(names)) != len(names):
        raise ValueError(f"{folder}: two plans for the same experiment: {sorted(names)}")
    return sorted(plans, key=lambda p: p["experiment"])


def task_id(node_id: str) -> str:
    """Airflow task id of a plan node: ``train/mri/mol-lr`` -> ``train__mri__mol-lr``."""
    return node_id.replace("/", "__")


def group_id(experiment: str) -> str:
    """Task group id of an experiment (group ids allow letters, digits, '_' and '-')."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", experiment)


def pod_name(experiment: str, node_id: str) -> str:
    """A DNS-1123 pod name prefix; the operator appends a random suffix."""
    name = re.sub(r"[^a-z0-9-]+", "-", f"dqb-{experiment}-{node_id}".lower()).strip("-")
    return name[:50].rstrip("-")


def uses_gpu(network: bool) -> bool:
    """Whether a node that runs a network (the plan's ``gpu``) gets a GPU in this deployment."""
    return ACCELERATOR == "gpu" and network


def resources(stage: str, network: bool) -> k8s.V1ResourceRequirements:
    """Requests and limits of a node's pod; ``network``: the plan says the node trains or runs a
    network. Memory limit = request: the JVM and ND4J's off-heap pools are sized from it by the
    image's entrypoint, so it must be guaranteed."""
    if uses_gpu(network):
        return k8s.V1ResourceRequirements(
            requests={"cpu": "4", "memory": "24Gi", "nvidia.com/gpu": "1"},
            limits={"cpu": "8", "memory": "24Gi", "nvidia.com/gpu": "1"})
    if network:  # network stages on CPU nodes
        return k8s.V1ResourceRequirements(
            requests={"cpu": "8", "memory": "24Gi"}, limits={"cpu": "8", "memory": "24Gi"})
    if stage in ("simulate",) or stage in GPU_STAGES:  # simulation and the baselines' linear algebra
        return k8s.V1ResourceRequirements(
            requests={"cpu": "2", "memory": "8Gi"}, limits={"cpu": "4", "memory": "8Gi"})
    # report and compare
    return k8s.V1ResourceRequirements(
        requests={"cpu": "1", "memory": "4Gi"}, limits={"cpu": "2", "memory": "4Gi"})


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def up_to_date(node: dict, run_dir: Path, code_version: str | None = None) -> str | None:
    """Why ``node`` needs no pod, or None when it must run: its completion marker in ``run_dir``
    (the worker's view of the plan's run directory) holds the node's plan hash, every input's
    ``manifest.json`` still has the SHA-256 recorded in the marker, and, when ``code_version`` is
    given, the marker's code version is that one. The same test as the run store's, minus the
    file-by-file check of the node's outputs, which the pod would do."""
    marker_file = run_dir / node["id"] / MARKER
    try:
        marker = json.loads(marker_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if marker.get("hash") != node.get("hash"):
        return None
    if code_version and marker.get("code_version") != code_version:
        return None
    recorded = marker.get("inputs") or {}
    for upstream in node["inputs"]:
        manifest = run_dir / upstream / MANIFEST
        try:
            if _sha256(manifest) != recorded.get(upstream):
                return None
        except OSError:
            return None
    return f"{marker_file} holds plan hash {node['hash'][:12]}… and the inputs are unchanged"


def skip_if_up_to_date(node: dict, pod_run_dir: str):
    """A ``pre_execute`` hook raising AirflowSkipException, before any pod is created, when
    ``up_to_date`` says so; None when the worker does not see the runs volume
    (``DEQBENCH_WORKER_RUNS_DIR`` unset) or the run directory is not on it."""
    if WORKER_RUNS_DIR is None or not (pod_run_dir == RUNS_MOUNT or pod_run_dir.startswith(RUNS_MOUNT + "/")):
        return None
    if "{{" in pod_run_dir:  # templated (a regression run's fresh directory): nothing to skip
        return None
    local = Path(WORKER_RUNS_DIR) / pod_run_dir[len(RUNS_MOUNT):].lstrip("/")

    def hook(context=None):
        reason = up_to_date(node, local, Variable.get("deqbench_code_version", default=None) or None)
        if reason is not None:
            raise AirflowSkipException(f"{node['id']} is up to date: {reason}")
    return hook


def with_run_dir(args: list[str], run_dir: str) -> list[str]:
    """The node's args with the value of ``--run-dir`` replaced."""
    out = list(args)
    if "--run-dir" not in out or out.index("--run-dir") + 1 >= len(out):
        raise ValueError(f"plan args {args} have no --run-dir value")
    out[out.index("--run-dir") + 1] = run_dir
    return out


def _volumes():
    return ([k8s.V1Volume(name="runs", persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(
                claim_name=RUNS_PVC)),
             k8s.V1Volume(name="tmp", empty_dir=k8s.V1EmptyDirVolumeSource(size_limit="8Gi"))],
            [k8s.V1VolumeMount(name="runs", mount_path=RUNS_MOUNT),
             k8s.V1VolumeMount(name="tmp", mount_path="/tmp")])


def stage_pod(task_id_: str, name: str, stage: str, arguments: list[str], *, image: str,
              retries: int = RETRIES, network: bool = False, gpu_pool: str | None = None,
              **kwargs) -> KubernetesPodOperator:
    """One pod running ``deqbench <arguments>`` with the run volume, MLflow settings, the
    node's resources and, for nodes running a network on a GPU, the GPU node selector, toleration,
    node affinity and ``gpu_pool``."""
    volumes, mounts = _volumes()
    gpu = uses_gpu(network)
    if gpu and gpu_pool:
        kwargs["pool"] = gpu_pool
    return KubernetesPodOperator(
        task_id=task_id_,
        name=name,
        namespace=NAMESPACE,
        image=image,
        cmds=["deqbench"],
        arguments=arguments,
        labels={**POD_LABELS, "deqbench.org/stage": stage},
        service_account_name=SERVICE_ACCOUNT,
        automount_service_account_token=False,
        env_from=[
            k8s.V1EnvFromSource(config_map_ref=k8s.V1ConfigMapEnvSource(name=ENV_CONFIGMAP)),
            # Optional: an MLflow server without authentication needs no credentials.
            k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name=ENV_SECRET, optional=True)),
        ],
        volumes=volumes,
        volume_mounts=mounts,
        container_resources=resources(stage, network),
        node_selector=_gpu_node_selector() if gpu else None,
        tolerations=GPU_TOLERATIONS if gpu else None,
        # Only GPUs the CUDA image has kernels for; elsewhere its preflight exits with code 3.
        affinity=GPU_AFFINITY if gpu else None,
        security_context={"runAsNonRoot": True, "runAsUser": IMAGE_UID, "runAsGroup": IMAGE_UID,
                          "fsGroup": IMAGE_UID, "seccompProfile": {"type": "RuntimeDefault"}},
        container_security_context={"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                    "capabilities": {"drop": ["ALL"]}},
        image_pull_policy="Always",  # tags are mutable: never run a stale image cached on the node
        # GPU nodes may have to be scaled up first: wait up to an hour for scheduling.
        startup_timeout_seconds=3600 if gpu else 600,
        get_logs=True,
        on_finish_action="delete_succeeded_pod",
        retries=retries,
        retry_delay=RETRY_DELAY,
        retry_exponential_backoff=True,
        **kwargs,
    )


def execution_timeout(plan: dict) -> timedelta:
    """The plan's time limit for one node's pod."""
    return timedelta(minutes=plan["deployment"]["execution_timeout_minutes"])


def add_plan(plan: dict, *, image_cpu: str = IMAGE_CPU, image_cuda: str = IMAGE_CUDA,
             run_dir: str | None = None) -> dict:
    """Adds one task per plan node (inside the current DAG / task group) and one dependency per
    node input; returns {node id: task}. ``run_dir`` replaces the plan's run directory. Tasks run
    when no upstream failed (``none_failed``), so a node skipped as up to date lets its
    downstream nodes run."""
    tasks = {}
    pod_run_dir = plan["run_dir"] if run_dir is None else run_dir
    for node in plan["nodes"]:
        args = node["args"] if run_dir is None else with_run_dir(node["args"], run_dir)
        image = image_cuda if uses_gpu(node["gpu"]) else image_cpu
        hook = skip_if_up_to_date(node, pod_run_dir)
        extra = {"pre_execute": hook} if hook is not None else {}
        t = stage_pod(task_id(node["id"]), pod_name(plan["experiment"], node["id"]), node["stage"], args,
                      image=image, network=node["gpu"], gpu_pool=plan["deployment"]["gpu_pool"],
                      execution_timeout=execution_timeout(plan), trigger_rule="none_failed",
                      doc_md=f"`deqbench {' '.join(node['args'])}`  \nplan hash `{node.get('hash')}`", **extra)
        for upstream in node["inputs"]:
            tasks[upstream] >> t
        tasks[node["id"]] = t
    return tasks


def roots(plan: dict) -> list[str]:
    """Ids of the nodes without inputs (the simulate nodes)."""
    return [n["id"] for n in plan["nodes"] if not n["inputs"]]
