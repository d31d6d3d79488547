"""deqbench_regression: run one experiment with a candidate image and gate it against a baseline.

Trigger with conf ``{"image": ..., "experiment": ..., "baseline": ...}`` (``ci/trigger_regression.py``
does it from CI):

* ``image``       the candidate CPU image (simulate, report, compare; and every stage when the DAG
                  processor runs with ``DEQBENCH_ACCELERATOR=cpu``)
* ``gpu_image``   optional; the candidate CUDA image for train/certify/attack (default:
                  ``<image>-cuda``, the tag convention of docker/README.md)
* ``experiment``  an experiment with an exported plan in dags/plans/
* ``baseline``    the reference run: a run directory on the runs volume (e.g. ``/runs/<experiment>``
                  from the sweep) or an MLflow run id

The plan runs in a fresh run directory ``/runs/regression/<experiment>/<run id>`` (so no node is
skipped as already complete), then ``deqbench compare --spec <spec> -- <baseline> <candidate>`` fails
the DAG run when a metric moves beyond the experiment's ``regression.tolerances``. The baseline is
free text from the trigger, so it is checked twice: the param accepts only a path under the runs
volume or an MLflow run id (``BASELINE_PATTERN``), and it is passed after ``--`` so that it can only
ever be a run, never an option of ``compare`` (a ``--help`` would otherwise pass the gate).
"""
from __future__ import annotations

from datetime import datetime, timezone

from airflow.providers.standard.operators.python import BranchPythonOperator
from airflow.sdk import DAG, Param, TaskGroup

import deqbench_pods

PLANS = deqbench_pods.load_plans()
EXPERIMENTS = [p["experiment"] for p in PLANS]

IMAGE = "{{ params.image }}"
GPU_IMAGE = "{{ params.gpu_image or (params.image ~ '-cuda') }}"
# Run ids hold ':' and '+' (manual__2026-01-01T00:00:00+00:00); keep the folder name plain.
RUN_FOLDER = "{{ run_id | replace(':', '-') | replace('+', '-') }}"


# A run directory on the runs volume, or an MLflow run id (bare or runs:/<id>); never an option.
BASELINE_PATTERN = (r"^(" + deqbench_pods.RUNS_MOUNT + r"/[A-Za-z0-9_][A-Za-z0-9._/-]*"
                    r"|runs:/[0-9a-f]{32}|[0-9a-f]{32})$")


def candidate_dir(experiment: str) -> str:
    return f"{deqbench_pods.RUNS_MOUNT}/regression/{experiment}/{RUN_FOLDER}"


def select_experiment(params: dict, **_context) -> list[str]:
    """Branch: the first tasks of the requested experiment's group; the other groups are skipped."""
    experiment = params.get("experiment")
    for plan in PLANS:
        if plan["experiment"] == experiment:
            group = deqbench_pods.group_id(experiment)
            return [f"{group}.{deqbench_pods.task_id(n)}" for n in deqbench_pods.roots(plan)]
    raise ValueError(f"conf.experiment: expected one of {EXPERIMENTS} (experiments with an exported "
                     f"plan), found {experiment!r}")


with DAG(
    dag_id="deqbench_regression",
    description="Run one experiment with a candidate image and compare it with a baseline run",
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=4,
    tags=["deqbench", "ci"],
    doc_md=__doc__,
    params={
        "image": Param(type="string", minLength=1, description="candidate image (CPU)"),
        "gpu_image": Param("", type="string", description="candidate CUDA image; default <image>-cuda"),
        "experiment": Param(type="string", enum=EXPERIMENTS, description="experiment to run"),
        "baseline": Param(type="string", minLength=1, pattern=BASELINE_PATTERN,
                          description="baseline run directory (e.g. /runs/<experiment>) or MLflow run id"),
    },
) as dag:
    select = BranchPythonOperator(task_id="select_experiment", python_callable=select_experiment)
    for _plan in PLANS:
        _experiment = _plan["experiment"]
        with TaskGroup(group_id=deqbench_pods.group_id(_experiment), tooltip=_plan["spec"]):
            _tasks = deqbench_pods.add_plan(_plan, image_cpu=IMAGE, image_cuda=GPU_IMAGE,
                                            run_dir=candidate_dir(_experiment))
            # A regression is not transient: the gate is never retried.
            _compare = deqbench_pods.stage_pod(
                "compare", deqbench_pods.pod_name(_experiment, "compare"), "compare",
                ["compare", "--spec", _plan["spec"], "--", "{{ params.baseline }}", candidate_dir(_experiment)],
                image=IMAGE, retries=0,
                doc_md="Fails (exit 1) on a regression beyond the spec's regression.tolerances, "
                       "exit 2 when a summary is missing.")
            for _node in _plan["nodes"]:
                if _node["stage"] == "report":
                    _tasks[_node["id"]] >> _compare
            for _root in deqbench_pods.roots(_plan):
                select >> _tasks[_root]
