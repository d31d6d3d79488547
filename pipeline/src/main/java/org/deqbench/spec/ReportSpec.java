package org.deqbench.spec;

/**
 * Report settings.
 *
 * @param examples test images shown with reconstructions and error maps
 */
public record ReportSpec(Integer examples) {
    public static final ReportSpec DEFAULT = new ReportSpec(null);

    public ReportSpec {
        examples = examples == null ? 2 : examples;
    }
}
