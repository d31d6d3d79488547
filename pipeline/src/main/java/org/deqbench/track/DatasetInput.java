package org.deqbench.track;

/**
 * A dataset a run consumed, as MLflow records run inputs ({@code runs/log-inputs}): shown in the
 * UI's "Datasets used" of the run.
 *
 * @param name       dataset name, e.g. {@code simulate/mri-4x} (≤ 500 characters)
 * @param digest     content digest (≤ 36 characters), e.g. the first 16 hex digits of the SHA-256
 *                   of the producing node's manifest, which lists every file's SHA-256
 * @param source     where the data are, e.g. the node folder in the run store
 * @param sourceType kind of source, e.g. {@code local}
 * @param context    how the run used it ({@code mlflow.data.context}: {@code train}, {@code test}, …)
 */
public record DatasetInput(String name, String digest, String source, String sourceType, String context) {
    public DatasetInput {
        if (name == null || name.isEmpty() || name.length() > 500) {
            throw new IllegalArgumentException("dataset name must have 1 to 500 characters, found " + name);
        }
        if (digest == null || digest.isEmpty() || digest.length() > 36) {
            throw new IllegalArgumentException("dataset digest must have 1 to 36 characters, found " + digest);
        }
    }
}
