package org.deqbench.track;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How to reach MLflow, read from the environment ({@link TrackingEnv}). Credentials come from
 * {@code MLFLOW_TRACKING_TOKEN} (Bearer) or {@code MLFLOW_TRACKING_USERNAME}/{@code _PASSWORD}
 * (Basic), or from user info in the URI, which is stripped from {@link #trackingUri()}.
 * {@link #toString()} never shows a credential.
 *
 * @param trackingUri     server address without credentials, no trailing slash
 * @param requestTimeout  one request's time limit
 * @param retryBudget     how long to retry with backoff before carrying on with the local log
 * @param initialBackoff  first wait between attempts (doubled each time, at most 30 s)
 * @param flushInterval   how long metrics are buffered before a send
 * @param probeInterval   after giving up, how often to try the server again (one attempt)
 * @param killWait        how long a node stopped by SIGTERM spends delivering what is left
 */
public record MlflowSettings(URI trackingUri, String username, String password, String token,
                             Duration requestTimeout, Duration retryBudget, Duration initialBackoff,
                             Duration flushInterval, Duration probeInterval, Duration killWait) {

    /** The settings, or empty when {@code MLFLOW_TRACKING_URI} is unset or blank. */
    public static Optional<MlflowSettings> fromEnv(Map<String, String> env) {
        String raw = env.get(TrackingEnv.TRACKING_URI);
        if (raw == null || raw.isBlank()) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(raw.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(TrackingEnv.TRACKING_URI + " is not a valid URI (" + e.getReason()
                    + "); expected http(s)://host:port of an MLflow tracking server, or unset it to track in the"
                    + " local run log only");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException(TrackingEnv.TRACKING_URI + "='" + withoutUserInfo(uri)
                    + "' is not supported: deqbench talks to an MLflow tracking server over REST, so it expects"
                    + " http(s)://host:port (a file store or 'databricks' cannot be used); unset it to track in"
                    + " the local run log <run dir>/runlog only");
        }
        String user = blankToNull(env.get(TrackingEnv.USERNAME));
        String password = blankToNull(env.get(TrackingEnv.PASSWORD));
        String token = blankToNull(env.get(TrackingEnv.TOKEN));
        if (uri.getRawUserInfo() != null && user == null) {
            String[] ui = uri.getRawUserInfo().split(":", 2);
            user = URLDecoder.decode(ui[0], StandardCharsets.UTF_8);
            password = ui.length > 1 ? URLDecoder.decode(ui[1], StandardCharsets.UTF_8) : null;
        }
        requireSafeTransport(withoutUserInfo(uri), user != null || token != null, env);
        if (user != null && password == null) {
            throw new IllegalArgumentException(TrackingEnv.USERNAME + " is set but " + TrackingEnv.PASSWORD
                    + " is not; set both for Basic authentication, or " + TrackingEnv.TOKEN + " for a Bearer token");
        }
        return Optional.of(new MlflowSettings(withoutUserInfo(uri), user, password, token,
                seconds(env, TrackingEnv.TIMEOUT_SECONDS, 5),
                seconds(env, TrackingEnv.RETRY_SECONDS, 120),
                seconds(env, TrackingEnv.BACKOFF_SECONDS, 1),
                seconds(env, TrackingEnv.FLUSH_SECONDS, 5),
                seconds(env, TrackingEnv.PROBE_SECONDS, 300),
                seconds(env, TrackingEnv.KILL_WAIT_SECONDS, 10)));
    }

    private static URI withoutUserInfo(URI u) {
        String s = u.toString();
        if (u.getRawUserInfo() != null) {
            s = s.replace(u.getRawUserInfo() + "@", "");
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }

    /**
     * Refuses credentials over plain {@code http://} to anything but this machine's loopback unless
     * {@value TrackingEnv#INSECURE} is "1".
     *
     * @throws IllegalArgumentException naming the URI and the two ways out
     */
    public static void requireSafeTransport(URI uri, boolean hasCredentials, Map<String, String> env) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (hasCredentials && scheme.equals("http") && uri.getHost() != null && !isLoopback(uri.getHost())
                && !"1".equals(env.get(TrackingEnv.INSECURE))) {
            throw new IllegalArgumentException(TrackingEnv.TRACKING_URI + "='" + uri
                    + "' is plain http but credentials are set: they would cross the network unencrypted; use"
                    + " https://, or set " + TrackingEnv.INSECURE + "=1 where the network is trusted (e.g. inside"
                    + " the cluster)");
        }
    }

    /** Whether a host name is this machine's loopback (traffic never leaves the machine). */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static Duration seconds(Map<String, String> env, String name, double dflt) {
        String v = env.get(name);
        double s = dflt;
        if (v != null && !v.isBlank()) {
            try {
                s = Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                s = -1;
            }
            if (!(s >= 0) || Double.isInfinite(s)) {
                throw new IllegalArgumentException(name + "='" + v + "': expected a number of seconds ≥ 0");
            }
        }
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    /** The tracking URI as text (no credentials in it). */
    public String host() {
        return trackingUri.toString();
    }

    /** Redacts this configuration's credentials from text that may be printed or stored. */
    Redactor redactor() {
        return new Redactor(username, password, token);
    }

    @Override
    public String toString() {
        String auth = token != null ? "bearer token" : username != null ? "basic auth" : "no credentials";
        return "MlflowSettings[" + trackingUri + ", " + auth + ", timeout " + requestTimeout + ", retry "
                + retryBudget + "]";
    }
}
