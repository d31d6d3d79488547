package org.deqbench.spec;

import java.util.List;

/**
 * One experiment: the inverse problems ({@link TaskSpec tasks}) and the reconstruction
 * {@link MethodSpec methods} run on each of them, and the settings of the certify, attack, report
 * and regression stages. The whole stage graph is a pure function of this record.
 *
 * @param name        experiment name; the run store is {@code runs/<name>/} by default
 * @param description free text shown in the report
 * @param seed        root seed; every random stream is derived from it and a stable label
 * @param tracking    MLflow settings ({@link #trackingSettings()}), null when not given
 * @param deployment  Airflow settings ({@link #deploymentSettings()}), null when not given
 */
public record ExperimentSpec(
        String name,
        String description,
        Long seed,
        List<TaskSpec> tasks,
        List<MethodSpec> methods,
        CertifySpec certify,
        AttackSpec attack,
        ReportSpec report,
        RegressionSpec regression,
        // deployment and tracking settings: absent from the canonical spec unless given
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        TrackingSpec tracking,
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        DeploymentSpec deployment) {

    public ExperimentSpec {
        description = description == null ? "" : description;
        seed = seed == null ? 0L : seed;
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
        methods = methods == null ? List.of() : List.copyOf(methods);
        certify = certify == null ? CertifySpec.DEFAULT : certify;
        attack = attack == null ? AttackSpec.DEFAULT : attack;
        report = report == null ? ReportSpec.DEFAULT : report;
        regression = regression == null ? RegressionSpec.DEFAULT : regression;
    }

    /** The tracking settings, defaults when the spec has no {@code tracking} section. */
    public TrackingSpec trackingSettings() {
        return tracking == null ? TrackingSpec.DEFAULT : tracking;
    }

    /** The deployment settings, defaults when the spec has no {@code deployment} section. */
    public DeploymentSpec deploymentSettings() {
        return deployment == null ? DeploymentSpec.DEFAULT : deployment;
    }

    /** The task called {@code name}; throws if the spec has none. */
    public TaskSpec task(String name) {
        return tasks.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("experiment '" + this.name
                        + "' has no task '" + name + "'; tasks: "
                        + tasks.stream().map(TaskSpec::name).toList()));
    }

    /** The method called {@code name}; throws if the spec has none. */
    public MethodSpec method(String name) {
        return methods.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("experiment '" + this.name
                        + "' has no method '" + name + "'; methods: "
                        + methods.stream().map(MethodSpec::name).toList()));
    }
}
