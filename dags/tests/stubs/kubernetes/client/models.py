"""Stand-in for kubernetes.client.models: value objects with the real classes' field names."""
from __future__ import annotations


class _Model:
    fields: tuple = ()

    def __init__(self, **kwargs):
        unknown = set(kwargs) - set(self.fields)
        if unknown:
            raise TypeError(f"{type(self).__name__}() got unexpected keyword arguments {sorted(unknown)}")
        for f in self.fields:
            setattr(self, f, kwargs.get(f))

    def to_dict(self):
        def conv(v):
            if isinstance(v, _Model):
                return v.to_dict()
            if isinstance(v, list):
                return [conv(x) for x in v]
            if isinstance(v, dict):
                return {k: conv(x) for k, x in v.items()}
            return v
        return {f: conv(getattr(self, f)) for f in self.fields}

    def __eq__(self, other):
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return f"{type(self).__name__}({self.to_dict()})"


def _model(name, *fields):
    return type(name, (_Model,), {"fields": fields})


V1ResourceRequirements = _model("V1ResourceRequirements", "claims", "limits", "requests")
V1Toleration = _model("V1Toleration", "effect", "key", "operator", "toleration_seconds", "value")
V1Volume = _model("V1Volume", "name", "persistent_volume_claim", "empty_dir", "config_map", "secret",
                  "host_path", "projected", "ephemeral", "nfs", "csi")
V1PersistentVolumeClaimVolumeSource = _model("V1PersistentVolumeClaimVolumeSource", "claim_name", "read_only")
V1EmptyDirVolumeSource = _model("V1EmptyDirVolumeSource", "medium", "size_limit")
V1VolumeMount = _model("V1VolumeMount", "mount_path", "mount_propagation", "name", "read_only",
                       "recursive_read_only", "sub_path", "sub_path_expr")
V1EnvFromSource = _model("V1EnvFromSource", "config_map_ref", "prefix", "secret_ref")
V1ConfigMapEnvSource = _model("V1ConfigMapEnvSource", "name", "optional")
V1SecretEnvSource = _model("V1SecretEnvSource", "name", "optional")
V1EnvVar = _model("V1EnvVar", "name", "value", "value_from")
V1LocalObjectReference = _model("V1LocalObjectReference", "name")
V1Affinity = _model("V1Affinity", "node_affinity", "pod_affinity", "pod_anti_affinity")
V1NodeAffinity = _model("V1NodeAffinity", "preferred_during_scheduling_ignored_during_execution",
                        "required_during_scheduling_ignored_during_execution")
V1NodeSelector = _model("V1NodeSelector", "node_selector_terms")
V1NodeSelectorTerm = _model("V1NodeSelectorTerm", "match_expressions", "match_fields")
V1NodeSelectorRequirement = _model("V1NodeSelectorRequirement", "key", "operator", "values")
