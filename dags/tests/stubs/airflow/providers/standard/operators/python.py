"""Stand-in for airflow.providers.standard.operators.python (Airflow 3)."""
from __future__ import annotations

from airflow.sdk import BaseOperator


class PythonOperator(BaseOperator):
    extra_args = {"python_callable", "op_args", "op_kwargs", "templates_dict", "templates_exts",
                  "show_return_value_in_logs"}

    def __init__(self, **kwargs):
        if not callable(kwargs.get("python_callable")):
            raise TypeError("python_callable must be callable")
        super().__init__(**kwargs)


class BranchPythonOperator(PythonOperator):
    pass
