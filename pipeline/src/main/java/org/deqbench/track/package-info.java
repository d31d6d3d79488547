/**
 * Tracking: every param, metric, tag and artifact a stage logs goes through one
 * {@link org.deqbench.track.Tracker}. The local run log ({@code <run dir>/runlog/}, append-only,
 * fsynced, one file per node) is always written and is the durable record —
 * {@link org.deqbench.track.RunLogReader} rebuilds every table and curve from it alone. When
 * {@code MLFLOW_TRACKING_URI} is set the same records go to an MLflow tracking server over REST
 * (one experiment per deqbench experiment, a parent run per pipeline run, a nested run per node,
 * artifacts through the server's artifact proxy), in the background and with bounded retries, so an
 * outage never stops a stage; {@link org.deqbench.track.MlflowSync} later delivers, exactly once,
 * whatever the server did not acknowledge.
 */
package org.deqbench.track;
