"""Stand-in for airflow.exceptions: the exceptions the DAG files raise."""
from __future__ import annotations


class AirflowException(Exception):
    pass


class AirflowSkipException(AirflowException):
    """Raised by a task (or its pre_execute hook) that should be marked skipped."""
