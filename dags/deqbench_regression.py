"""deqbench_regression_<experiment>: run one experiment with a candidate image and gate it against a baseline.

One DAG per experiment with an exported plan (``dag_id = deqbench_regression_<experiment>``, the
experiment's name with characters other than letters, digits, '_' and '-' as '_'), holding exactly
that plan's nodes and the gate. Trigger with conf ``{"image": ..., "baseline": ...}``
(``ci/trigger_regression.py`` does it from CI):

* ``image``       the candidate CPU image (simulate, report, compare, baselines; and every stage when
                  the DAG processor runs with ``DEQBENCH_ACCELERATOR=cpu``)
* ``gpu_image``   optional; the candidate CUDA image for the nodes that run a network on a GPU
                  (default: ``<image>-cuda``, the tag convention of docker/README.md)
* ``experiment``  optional; if given it must be this DAG's experiment
* ``baseline``    the reference run: a run directory on the runs volume (e.g. ``/runs/<experiment>``
                  from the sweep) or an MLflow run id

The plan runs in a fresh run directory ``/runs/regression/<experiment>/<run id>`` (so no node is
skipped as already complete), then ``deqbench compare --spec <spec> -- <baseline> <candidate>`` fails
the DAG run when a metric moves beyond the experiment's ``regression.tolerances``. The baseline is
free text from the trigger, so it is checked twice: the param accepts only a path under the runs
volume or an MLflow run id (``BASELINE_PATTERN``), and it is passed after ``--`` so that it can only
ever be a run, never an option of ``compare`` (a ``--help`` would otherwise pass the gate). The
experiment's ``deployment`` settings give the GPU pool, each pod's execution timeout and the DAG's
``max_active_tasks``.
"""
from __future__ import annotations

from datetime import datetime, timezone

from airflow.sdk import DAG, Param

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


def dag_id(experiment: str) -> str:
    """The regression DAG of an experiment."""
    return "deqbench_regression_" + deqbench_pods.group_id(experiment)


def candidate_dir(experiment: str) -> str:
    return f"{deqbench_pods.RUNS_MOUNT}/regression/{experiment}/{RUN_FOLDER}"


def regression_dag(plan: dict) -> DAG:
    """The DAG gating ``plan``'s experiment: its nodes in a fresh run directory, then compare."""
    experiment = plan["experiment"]
    with DAG(
        dag_id=dag_id(experiment),
        description=f"Run experiment {experiment} with a candidate image and compare it with a baseline run",
        schedule=None,
        start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
        catchup=False,
        max_active_runs=4,
        max_active_tasks=plan["deployment"]["max_active_tasks"],
        tags=["deqbench", "ci"],
        doc_md=__doc__,
        params={
            "image": Param(type="string", minLength=1, description="candidate image (CPU)"),
            "gpu_image": Param("", type="string", description="candidate CUDA image; default <image>-cuda"),
            "experiment": Param(experiment, type="string", enum=[experiment],
                                description="this DAG's experiment (optional in the conf)"),
            "baseline": Param(type="string", minLength=1, pattern=BASELINE_PATTERN,
                              description="baseline run directory (e.g. /runs/<experiment>) or MLflow run id"),
        },
    ) as dag:
        tasks = deqbench_pods.add_plan(plan, image_cpu=IMAGE, image_cuda=GPU_IMAGE, run_dir=candidate_dir(experiment))
        # A regression is not transient: the gate is never retried.
        compare = deqbench_pods.stage_pod(
            "compare", deqbench_pods.pod_name(experiment, "compare"), "compare",
            ["compare", "--spec", plan["spec"], "--", "{{ params.baseline }}", candidate_dir(experiment)],
            image=IMAGE, retries=0, execution_timeout=deqbench_pods.execution_timeout(plan),
            doc_md="Fails (exit 1) on a regression beyond the spec's regression.tolerances, "
                   "exit 2 when a summary is missing.")
        for node in plan["nodes"]:
            if node["stage"] == "report":
                tasks[node["id"]] >> compare
    return dag


DAGS = {p["experiment"]: regression_dag(p) for p in PLANS}
# The DAG processor collects DAG objects from module globals.
globals().update({dag_id(e): d for e, d in DAGS.items()})
