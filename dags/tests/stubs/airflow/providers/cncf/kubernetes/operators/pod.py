"""Stand-in for the cncf.kubernetes provider's KubernetesPodOperator: records and checks arguments."""
from __future__ import annotations

import re

from airflow.sdk import BaseOperator
from kubernetes.client import models as k8s

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class KubernetesPodOperator(BaseOperator):
    template_fields = ("image", "cmds", "annotations", "arguments", "env_vars", "labels", "config_file",
                       "pod_template_file", "pod_template_dict", "namespace", "container_resources",
                       "volumes", "volume_mounts", "cluster_context", "env_from", "node_selector",
                       "kubernetes_conn_id", "base_container_name", "trigger_kwargs")
    extra_args = {
        "kubernetes_conn_id", "namespace", "image", "name", "random_name_suffix", "cmds", "arguments",
        "ports", "volume_mounts", "volumes", "env_vars", "env_from", "secrets", "in_cluster",
        "cluster_context", "labels", "reattach_on_restart", "startup_timeout_seconds",
        "startup_check_interval_seconds", "schedule_timeout_seconds", "get_logs", "base_container_name",
        "base_container_status_polling_interval", "init_container_logs", "container_logs",
        "image_pull_policy", "annotations", "container_resources", "affinity", "config_file",
        "node_selector", "image_pull_secrets", "service_account_name", "automount_service_account_token",
        "hostnetwork", "host_aliases", "tolerations", "security_context", "container_security_context",
        "dnspolicy", "dns_config", "hostname", "subdomain", "schedulername", "full_pod_spec",
        "init_containers", "log_events_on_failure", "do_xcom_push", "pod_template_file",
        "pod_template_dict", "priority_class_name", "pod_runtime_info_envs", "termination_grace_period",
        "configmaps", "skip_on_exit_code", "deferrable", "poll_interval", "log_pod_spec_on_failure",
        "on_finish_action", "on_kill_action", "termination_message_policy", "active_deadline_seconds",
        "callbacks", "progress_callback", "logging_interval", "trigger_kwargs", "container_name_log_prefix_enabled",
        "log_formatter",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        action = kwargs.get("on_finish_action", "delete_pod")
        if action not in ("delete_pod", "delete_succeeded_pod", "keep_pod", "delete_active_pod"):
            raise ValueError(f"on_finish_action: unknown value {action!r}")
        self.on_finish_action = action
        name = kwargs.get("name")
        if name is not None and (not _NAME.match(name) or len(name) > 63):
            raise ValueError(f"pod name {name!r} is not a DNS-1123 label")
        for key, typ in (("container_resources", k8s.V1ResourceRequirements), ("env_from", k8s.V1EnvFromSource),
                         ("volumes", k8s.V1Volume), ("volume_mounts", k8s.V1VolumeMount),
                         ("tolerations", k8s.V1Toleration), ("env_vars", k8s.V1EnvVar),
                         ("affinity", k8s.V1Affinity)):
            value = kwargs.get(key)
            items = value if isinstance(value, list) else [value] if value is not None else []
            if key == "container_resources" and isinstance(value, list):
                raise TypeError("container_resources must be one V1ResourceRequirements")
            for item in items:
                if not isinstance(item, typ):
                    raise TypeError(f"{key}: expected {typ.__name__}, found {type(item).__name__}")
        for key in ("cmds", "arguments"):
            value = kwargs.get(key)
            if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise TypeError(f"{key} must be a list of strings")
        for key in ("security_context", "container_security_context", "node_selector", "labels"):
            value = kwargs.get(key)
            if value is not None and not isinstance(value, dict):
                raise TypeError(f"{key} must be a dict")
