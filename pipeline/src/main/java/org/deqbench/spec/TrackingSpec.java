package org.deqbench.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Tracking settings ({@code tracking:} in a spec). Not part of the canonical spec unless given,
 * so plan hashes of specs without it are unchanged; no node hash depends on it.
 *
 * @param uploadArrays whether arrays ({@code .npy}) larger than {@link #ARRAY_UPLOAD_LIMIT_BYTES}
 *                     are uploaded to MLflow with a node's folder (default false: the run store
 *                     keeps them, MLflow gets the JSON, figures, tables and models)
 */
public record TrackingSpec(@JsonProperty("upload_arrays") Boolean uploadArrays) {
    /** 1 MB: arrays above this size stay out of MLflow unless {@code upload_arrays} is true. */
    public static final long ARRAY_UPLOAD_LIMIT_BYTES = 1_000_000L;
    public static final TrackingSpec DEFAULT = new TrackingSpec(null);

    public TrackingSpec {
        uploadArrays = uploadArrays != null && uploadArrays;
    }
}
