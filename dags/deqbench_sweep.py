"""deqbench_sweep: every exported experiment plan, on a schedule (weekly by default).

One task group per experiment (``dags/plans/<experiment>.json``), one pod per plan node with the
node's exact ``deqbench`` arguments, dependencies from the node inputs. Nodes whose outputs in
``/runs/<experiment>`` already carry the node's plan hash complete at once, so a scheduled run
recomputes only what a spec change invalidated (and whatever failed last time); with
``DEQBENCH_WORKER_RUNS_DIR`` set they are skipped before their pod starts. GPU pods run in each
plan's ``deployment.gpu_pool``, every pod under its plan's ``execution_timeout``; the DAG's
``max_active_tasks`` is the largest of the plans' (Airflow caps tasks per DAG, not per group).

``DEQBENCH_SWEEP_SCHEDULE`` (DAG processor environment) overrides the schedule, e.g. ``@daily``
or a cron expression; ``none`` for manual runs only.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone

from airflow.sdk import DAG, TaskGroup

import deqbench_pods

_schedule = os.environ.get("DEQBENCH_SWEEP_SCHEDULE", "@weekly")
_plans = deqbench_pods.load_plans()

with DAG(
    dag_id="deqbench_sweep",
    description="All deqbench experiments: simulate, train, certify, attack, report as Kubernetes pods",
    schedule=None if _schedule.lower() == "none" else _schedule,
    start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,  # runs share /runs/<experiment>; two sweeps must not write the same nodes
    max_active_tasks=max(p["deployment"]["max_active_tasks"] for p in _plans),
    tags=["deqbench"],
    doc_md=__doc__,
) as dag:
    for _plan in _plans:
        with TaskGroup(group_id=deqbench_pods.group_id(_plan["experiment"]),
                       tooltip=f"{_plan['experiment']}: {_plan['spec']} -> {_plan['run_dir']}"):
            deqbench_pods.add_plan(_plan)
