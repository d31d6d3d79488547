"""Imports the DAG files of dags/ against the Airflow stand-in in stubs/, with a chosen plans
folder and DAG-processor environment, and gives the tests the plans they must equal."""
from __future__ import annotations

import importlib
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

TESTS = Path(__file__).resolve().parent
DAGS = TESTS.parent
STUBS = TESTS / "stubs"
FIXTURE_PLANS = TESTS / "fixtures" / "plans"
COMMITTED_PLANS = DAGS / "plans"

for _p in (str(DAGS), str(STUBS)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

_SETTINGS = ("DEQBENCH_PLANS_DIR", "DEQBENCH_NAMESPACE", "DEQBENCH_ACCELERATOR",
             "DEQBENCH_GPU_NODE_SELECTOR", "DEQBENCH_GPU_AFFINITY", "DEQBENCH_SWEEP_SCHEDULE",
             "DEQBENCH_WORKER_RUNS_DIR")


@contextmanager
def _environment(values: dict):
    saved = {k: os.environ.get(k) for k in _SETTINGS}
    try:
        for k in _SETTINGS:
            os.environ.pop(k, None)
        os.environ.update({k: str(v) for k, v in values.items()})
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def load_dag_module(name: str, plans_dir: Path = FIXTURE_PLANS, **env):
    """Freshly imports dags/<name>.py (and deqbench_pods) with DEQBENCH_PLANS_DIR=plans_dir."""
    import airflow.sdk as sdk
    sdk.DAGS.clear()
    for mod in (name, "deqbench_pods"):
        sys.modules.pop(mod, None)
    with _environment({"DEQBENCH_PLANS_DIR": str(plans_dir), **env}):
        return importlib.import_module(name)


def plans(plans_dir: Path = FIXTURE_PLANS) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(plans_dir).glob("*.json"))]


def task_id(experiment: str, node_id: str) -> str:
    """The task id the tests expect for a plan node: group = experiment, '/' -> '__'."""
    return f"{experiment}.{node_id.replace('/', '__')}"
