package org.deqbench.track;

/**
 * A request to the tracking server that did not succeed, classified by what to do next. Its
 * message is already redacted.
 */
final class MlflowCallException extends Exception {
    /** What the failure means for delivery. */
    enum Kind {
        /** Refused connection, timeout, 429 or 5xx: retry with backoff, later deliver by sync. */
        TRANSIENT,
        /** 400: the request itself is invalid; sending it again cannot succeed. */
        REJECTED,
        /** Any other refusal (401, 403, 404, ...): not retried now, left for a later sync. */
        REFUSED
    }

    private final Kind kind;
    private final boolean ambiguous;
    private final int status;

    /**
     * @param ambiguous the server may have applied the request although it did not say so
     *                  (a timeout, a 5xx, a connection lost after sending)
     * @param status    HTTP status, 0 when there was no response
     */
    MlflowCallException(Kind kind, boolean ambiguous, int status, String message) {
        super(message);
        this.kind = kind;
        this.ambiguous = ambiguous;
        this.status = status;
    }

    Kind kind() {
        return kind;
    }

    boolean ambiguous() {
        return ambiguous;
    }

    int status() {
        return status;
    }
}
