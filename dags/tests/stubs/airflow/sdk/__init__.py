"""Stand-in for airflow.sdk (Airflow 3): DAG, TaskGroup, Param and BaseOperator bookkeeping."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

_KEY = re.compile(r"^[\w.-]+$")
_GROUP_KEY = re.compile(r"^[\w-]+$")
_DAG_STACK: list = []
_GROUP_STACK: list = []

DAGS: dict = {}

_DAG_ARGS = {
    "dag_id", "description", "schedule", "start_date", "end_date", "default_args", "max_active_tasks",
    "max_active_runs", "max_consecutive_failed_dag_runs", "dagrun_timeout", "catchup", "doc_md",
    "params", "access_control", "is_paused_upon_creation", "tags", "owner_links", "auto_register",
    "fail_fast", "dag_display_name", "render_template_as_native_obj", "template_searchpath",
    "template_undefined", "user_defined_macros", "user_defined_filters", "on_success_callback",
    "on_failure_callback", "sla_miss_callback", "jinja_environment_kwargs",
}

BASE_OPERATOR_ARGS = {
    "task_id", "owner", "email", "email_on_retry", "email_on_failure", "retries", "retry_delay",
    "retry_exponential_backoff", "max_retry_delay", "start_date", "end_date", "depends_on_past",
    "ignore_first_depends_on_past", "wait_for_past_depends_before_skipping", "wait_for_downstream",
    "dag", "params", "default_args", "priority_weight", "weight_rule", "queue", "pool", "pool_slots",
    "execution_timeout", "on_execute_callback", "on_failure_callback", "on_success_callback",
    "on_retry_callback", "on_skipped_callback", "pre_execute", "post_execute", "trigger_rule",
    "resources", "run_as_user", "map_index_template", "max_active_tis_per_dag",
    "max_active_tis_per_dagrun", "executor", "executor_config", "do_xcom_push", "multiple_outputs",
    "inlets", "outlets", "task_group", "doc", "doc_md", "doc_json", "doc_yaml", "doc_rst",
    "task_display_name", "logger_name", "allow_nested_operators", "retry_exponential_backoff",
}

TRIGGER_RULES = {
    "all_success", "all_failed", "all_done", "all_done_min_one_success", "all_skipped", "one_success",
    "one_done", "one_failed", "none_failed", "none_failed_min_one_success", "none_skipped", "always",
}


class DuplicateTaskIdFound(Exception):
    pass


class Variable:
    """Airflow Variables: ``Variable.get(key, default=...)`` reads ``VALUES`` (tests set it)."""

    VALUES: dict = {}
    _NOTSET = object()

    @classmethod
    def get(cls, key: str, default=_NOTSET, deserialize_json: bool = False):
        if key in cls.VALUES:
            return cls.VALUES[key]
        if default is Variable._NOTSET:
            raise KeyError(f"Variable {key} does not exist")
        return default


class Param:
    """Records a DAG param; ``required`` when it has no default."""

    _NOTSET = object()

    def __init__(self, default=_NOTSET, description: str | None = None, **schema):
        unknown = set(schema) - {"type", "enum", "minLength", "maxLength", "pattern", "minimum",
                                 "maximum", "format", "title", "examples", "values_display", "items"}
        if unknown:
            raise TypeError(f"Param got unexpected keywords {sorted(unknown)}")
        self.value = None if default is Param._NOTSET else default
        self.required = default is Param._NOTSET
        self.description = description
        self.schema = schema


class DAG:
    def __init__(self, dag_id: str | None = None, **kwargs):
        if dag_id is None:
            raise TypeError("DAG needs a dag_id")
        unknown = set(kwargs) - _DAG_ARGS
        if unknown:
            raise TypeError(f"DAG() got unexpected keyword arguments {sorted(unknown)} "
                            "(Airflow 3 takes schedule=, not schedule_interval/timetable)")
        if not _KEY.match(dag_id):
            raise ValueError(f"invalid dag_id {dag_id!r}")
        start = kwargs.get("start_date")
        if start is not None and (not isinstance(start, datetime) or start.tzinfo is None):
            raise ValueError("start_date must be a timezone-aware datetime")
        self.dag_id = dag_id
        self.schedule = kwargs.get("schedule")
        self.params = kwargs.get("params") or {}
        for name, p in self.params.items():
            if not isinstance(p, Param):
                raise TypeError(f"param {name!r} must be a Param")
        if self.schedule is not None and any(p.required for p in self.params.values()):
            raise ValueError("a scheduled DAG cannot have params without defaults")
        self.default_args = kwargs.get("default_args") or {}
        self.kwargs = kwargs
        self.task_dict: dict = {}
        self.task_group_ids: list = []
        DAGS[dag_id] = self

    def __enter__(self):
        _DAG_STACK.append(self)
        return self

    def __exit__(self, *exc):
        _DAG_STACK.pop()
        return False

    @property
    def tasks(self):
        return list(self.task_dict.values())

    def add_task(self, task):
        if task.task_id in self.task_dict:
            raise DuplicateTaskIdFound(f"task id {task.task_id!r} has already been added to the DAG")
        self.task_dict[task.task_id] = task


class TaskGroup:
    def __init__(self, group_id: str, tooltip: str = "", prefix_group_id: bool = True, **kwargs):
        unknown = set(kwargs) - {"default_args", "dag", "parent_group", "ui_color", "ui_fgcolor",
                                 "add_suffix_on_collision", "group_display_name"}
        if unknown:
            raise TypeError(f"TaskGroup() got unexpected keyword arguments {sorted(unknown)}")
        if not _GROUP_KEY.match(group_id):
            raise ValueError(f"invalid group_id {group_id!r}: letters, digits, '_' and '-' only")
        if not _DAG_STACK:
            raise RuntimeError("TaskGroup outside a DAG")
        parent = _GROUP_STACK[-1].group_id + "." if _GROUP_STACK else ""
        self.group_id = parent + group_id
        self.tooltip = tooltip
        dag = _DAG_STACK[-1]
        if self.group_id in dag.task_group_ids:
            raise DuplicateTaskIdFound(f"group id {self.group_id!r} already exists")
        dag.task_group_ids.append(self.group_id)

    def __enter__(self):
        _GROUP_STACK.append(self)
        return self

    def __exit__(self, *exc):
        _GROUP_STACK.pop()
        return False


class BaseOperator:
    """Records its arguments as attributes; dependencies via >>, <<, set_upstream/downstream."""

    template_fields: tuple = ()
    extra_args: set = set()

    def __init__(self, **kwargs):
        allowed = BASE_OPERATOR_ARGS | self.extra_args
        unknown = set(kwargs) - allowed
        if unknown:
            raise TypeError(f"{type(self).__name__}() got unexpected keyword arguments {sorted(unknown)}")
        if "task_id" not in kwargs or not _KEY.match(kwargs["task_id"]):
            raise ValueError(f"invalid task_id {kwargs.get('task_id')!r}")
        if not _DAG_STACK:
            raise RuntimeError(f"task {kwargs['task_id']!r} created outside a DAG")
        dag = _DAG_STACK[-1]
        merged = {**dag.default_args, **kwargs}
        rule = merged.get("trigger_rule", "all_success")
        if rule not in TRIGGER_RULES:
            raise ValueError(f"unknown trigger_rule {rule!r}")
        if merged.get("pool") is not None and not (isinstance(merged["pool"], str) and _KEY.match(merged["pool"])):
            raise ValueError(f"invalid pool {merged['pool']!r}")
        if merged.get("pre_execute") is not None and not callable(merged["pre_execute"]):
            raise TypeError("pre_execute must be callable")
        for k in ("retry_delay", "execution_timeout"):
            if merged.get(k) is not None and not isinstance(merged[k], timedelta):
                raise TypeError(f"{k} must be a timedelta")
        self.kwargs = merged
        self.dag = dag
        self.group_id = _GROUP_STACK[-1].group_id if _GROUP_STACK else None
        self.task_id = (self.group_id + "." if self.group_id else "") + kwargs["task_id"]
        self.retries = merged.get("retries", 0)
        self.retry_delay = merged.get("retry_delay", timedelta(minutes=5))
        self.trigger_rule = rule
        self.upstream_task_ids: set = set()
        self.downstream_task_ids: set = set()
        for k, v in merged.items():
            if k not in ("task_id",) and not hasattr(self, k):
                setattr(self, k, v)
        dag.add_task(self)

    def set_downstream(self, other):
        for o in other if isinstance(other, (list, tuple)) else [other]:
            if o.dag is not self.dag:
                raise ValueError("tasks of different DAGs")
            self.downstream_task_ids.add(o.task_id)
            o.upstream_task_ids.add(self.task_id)

    def set_upstream(self, other):
        for o in other if isinstance(other, (list, tuple)) else [other]:
            o.set_downstream(self)

    def __rshift__(self, other):
        self.set_downstream(other)
        return other

    def __lshift__(self, other):
        self.set_upstream(other)
        return other

    def __rrshift__(self, other):
        self.set_upstream(other)
        return self
