package org.deqbench.track;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;
import org.mlflow.tracking.creds.MlflowHostCredsProvider;
import org.mlflow_project.apachehttp.client.config.RequestConfig;
import org.mlflow_project.apachehttp.impl.client.CloseableHttpClient;
import org.mlflow_project.apachehttp.impl.client.HttpClientBuilder;

/**
 * The tracking server, one request per call: the REST API through {@code MlflowClient}, artifact
 * uploads through the server's artifact proxy with {@code java.net.http}
 * ({@code PUT <tracking uri>/api/2.0/mlflow-artifacts/artifacts/<path>}; the client's own
 * {@code logArtifact} shells out to Python). Every call has a time limit and fails with a
 * classified, redacted {@link MlflowCallException}; retrying is the caller's business.
 *
 * <p>The MLflow client has no socket timeouts, so each of its calls runs on a worker thread and is
 * abandoned after the limit; the client is then closed, which aborts the hung connection, and
 * replaced.
 */
final class MlflowGateway implements Closeable {
    private static final String ARTIFACTS_API = "/api/2.0/mlflow-artifacts/artifacts/";
    /** Upload time allowed per byte beyond the request timeout: 1 MB/s. */
    private static final double UPLOAD_SECONDS_PER_BYTE = 1e-6;

    private static volatile boolean warnedClient;
    /** Extra time the first call of a process may take for class loading (see {@link #call}). */
    private static final Duration WARM_UP = Duration.ofSeconds(10);
    private static volatile boolean warm;
    private final MlflowSettings settings;
    private final Redactor redactor;
    private final HttpClient http;
    private MlflowClient client;
    private ExecutorService worker;

    MlflowGateway(MlflowSettings settings) {
        this.settings = settings;
        this.redactor = settings.redactor();
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER) // never forward credentials to another origin
                .connectTimeout(positive(settings.requestTimeout()))
                .build();
        this.client = newClient();
        this.worker = newWorker();
    }

    private static Duration positive(Duration d) {
        return d.isZero() || d.isNegative() ? Duration.ofMillis(1) : d;
    }

    private MlflowClient newClient() {
        String host = settings.host();
        BasicMlflowHostCreds creds = settings.token() != null
                ? new BasicMlflowHostCreds(host, settings.token())
                : settings.username() != null
                ? new BasicMlflowHostCreds(host, settings.username(), settings.password())
                : new BasicMlflowHostCreds(host);
        MlflowClient c = new MlflowClient(creds);
        singleAttempt(c, creds);
        return c;
    }

    /**
     * Makes the client send each request once. Out of the box its HTTP caller repeats every request
     * answered with an error status (other than 429) up to three times at once, which would apply a
     * log-batch answered 503 after the server wrote it three times and log the error body each time,
     * and its connections have no timeouts. The caller has no public way to change this, so a
     * caller with one attempt, no 429 loop and a timed, non-retrying HTTP client replaces it
     * (checked by MlflowOutageTest against the pinned mlflow-client version).
     */
    private void singleAttempt(MlflowClient c, MlflowHostCredsProvider creds) {
        try {
            int ms = (int) Math.min(Integer.MAX_VALUE, positive(settings.requestTimeout()).toMillis());
            // No redirects: the client copies the Authorization header onto a redirected request,
            // which would hand the token to whatever origin the Location names.
            CloseableHttpClient http = HttpClientBuilder.create().disableAutomaticRetries().disableRedirectHandling()
                    .setDefaultRequestConfig(RequestConfig.custom().setConnectTimeout(ms).setSocketTimeout(ms)
                            .setConnectionRequestTimeout(ms).build())
                    .build();
            Constructor<?> make = Class.forName("org.mlflow.tracking.MlflowHttpCaller").getDeclaredConstructor(
                    MlflowHostCredsProvider.class, int.class, int.class, int.class, CloseableHttpClient.class);
            make.setAccessible(true);
            Field field = MlflowClient.class.getDeclaredField("httpCaller");
            field.setAccessible(true);
            field.set(c, make.newInstance(creds, 0, 0, 1, http));
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (!warnedClient) {
                warnedClient = true;
                System.err.println("deqbench: cannot configure the MLflow client (" + e
                        + "); it repeats a request that failed with an HTTP error up to 3 times");
            }
        }
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "deqbench-mlflow-request");
            t.setDaemon(true);
            return t;
        });
    }

    Redactor redactor() {
        return redactor;
    }

    MlflowSettings settings() {
        return settings;
    }

    private <T> T call(String what, Function<MlflowClient, T> op) throws MlflowCallException {
        MlflowClient c;
        ExecutorService w;
        synchronized (this) {
            c = client;
            w = worker;
        }
        Future<T> f = w.submit(() -> op.apply(c));
        // The first call of a process also loads and links the client's classes (protobuf, HTTP),
        // seconds on a busy machine: that is not the server's time, so the watchdog allows it. A
        // hanging server is still caught after the request timeout by the socket timeout.
        long warmUp = warm ? 0 : WARM_UP.toNanos();
        warm = true;
        try {
            // The socket timeout normally fires first; this also bounds DNS, connection-pool waits
            // and anything else the client might block on.
            return f.get(positive(settings.requestTimeout()).toNanos() * 3 / 2 + 200_000_000L + warmUp,
                    TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            abandon(f);
            throw new MlflowCallException(MlflowCallException.Kind.TRANSIENT, true, 0,
                    what + ": no response within " + seconds(settings.requestTimeout()));
        } catch (InterruptedException e) {
            abandon(f);
            Thread.currentThread().interrupt();
            throw new MlflowCallException(MlflowCallException.Kind.TRANSIENT, true, 0, what + ": interrupted");
        } catch (ExecutionException e) {
            throw classify(what, e.getCause());
        }
    }

    private void abandon(Future<?> f) {
        f.cancel(true);
        MlflowClient old;
        ExecutorService oldWorker;
        synchronized (this) {
            old = client;
            oldWorker = worker;
            client = newClient();
            worker = newWorker();
        }
        old.close();
        oldWorker.shutdownNow();
    }

    private static String seconds(Duration d) {
        return d.toMillis() / 1000.0 + " s";
    }

    private MlflowCallException classify(String what, Throwable e) {
        if (e instanceof MlflowHttpException h) {
            int code = h.getStatusCode();
            String msg = what + ": HTTP " + code + " " + nullToEmpty(h.getReasonPhrase()) + " " + shorten(h.getBodyMessage());
            return forStatus(code, redactor.redact(msg.strip()));
        }
        Throwable root = e;
        boolean connect = false;
        while (root != null) {
            if (root instanceof ConnectException || root instanceof UnknownHostException
                    || root.getClass().getSimpleName().equals("ConnectTimeoutException")) {
                connect = true;
            }
            if (root instanceof SocketTimeoutException && !connect) {
                return new MlflowCallException(MlflowCallException.Kind.TRANSIENT, true, 0,
                        what + ": no response within " + seconds(settings.requestTimeout()));
            }
            if (root.getCause() == null || root.getCause() == root) {
                break;
            }
            root = root.getCause();
        }
        if (e instanceof MlflowClientException || e instanceof IOException) {
            // Not connected: nothing was sent. Anything else may have reached the server.
            return new MlflowCallException(MlflowCallException.Kind.TRANSIENT, !connect, 0,
                    what + ": " + redactor.describe(root));
        }
        return new MlflowCallException(MlflowCallException.Kind.REFUSED, true, 0,
                what + ": unexpected " + redactor.describe(e));
    }

    private static MlflowCallException forStatus(int code, String msg) {
        if (code == 429) {
            return new MlflowCallException(MlflowCallException.Kind.TRANSIENT, false, code, msg);
        }
        if (code >= 500) {
            return new MlflowCallException(MlflowCallException.Kind.TRANSIENT, true, code, msg);
        }
        if (code == 400) {
            return new MlflowCallException(MlflowCallException.Kind.REJECTED, false, code, msg);
        }
        String hint = code == 401 || code == 403
                ? " (check " + TrackingEnv.TOKEN + " or " + TrackingEnv.USERNAME + "/" + TrackingEnv.PASSWORD + ")"
                : "";
        return new MlflowCallException(MlflowCallException.Kind.REFUSED, false, code, msg + hint);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String shorten(String s) {
        if (s == null) {
            return "";
        }
        String t = s.strip().replaceAll("\\s+", " ");
        return t.length() > 300 ? t.substring(0, 300) + "…" : t;
    }

    Optional<String> experimentIdByName(String name) throws MlflowCallException {
        return call("experiments/get-by-name", c -> c.getExperimentByName(name).map(Service.Experiment::getExperimentId));
    }

    String createExperiment(String name) throws MlflowCallException {
        return call("experiments/create", c -> c.createExperiment(name));
    }

    /** Active runs of an experiment matching a filter (e.g. a tag equality), at most 1000. */
    List<Service.Run> searchRuns(String experimentId, String filter) throws MlflowCallException {
        return call("runs/search", c -> new ArrayList<>(c.searchRuns(List.of(experimentId), filter,
                Service.ViewType.ACTIVE_ONLY, 1000).getItems()));
    }

    Service.RunInfo createRun(Service.CreateRun request) throws MlflowCallException {
        return call("runs/create", c -> c.createRun(request));
    }

    /** The run, or empty if the server does not know it (or it was deleted). */
    Optional<Service.Run> getRun(String runId) throws MlflowCallException {
        try {
            Service.Run r = call("runs/get", c -> c.getRun(runId));
            return "deleted".equals(r.getInfo().getLifecycleStage()) ? Optional.empty() : Optional.of(r);
        } catch (MlflowCallException e) {
            if (e.status() == 404 || e.status() == 400 && e.getMessage().contains("RESOURCE_DOES_NOT_EXIST")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    void logBatch(String runId, List<Service.Metric> metrics, List<Service.Param> params, List<Service.RunTag> tags)
            throws MlflowCallException {
        call("runs/log-batch", c -> {
            c.logBatch(runId, metrics, params, tags);
            return null;
        });
    }

    /**
     * MLflow's {@code runs/log-inputs}: the datasets with their context tag. The Java client has no
     * call for it, so the request body is written here (the REST API's JSON) and sent with the
     * client's own {@code sendPost}, which carries its authentication and error handling.
     */
    void logInputs(String runId, List<DatasetInput> datasets) throws MlflowCallException {
        com.fasterxml.jackson.databind.node.ObjectNode body = INPUTS_JSON.createObjectNode();
        body.put("run_id", runId);
        com.fasterxml.jackson.databind.node.ArrayNode list = body.putArray("datasets");
        for (DatasetInput d : datasets) {
            com.fasterxml.jackson.databind.node.ObjectNode in = list.addObject();
            in.putArray("tags").addObject().put("key", "mlflow.data.context").put("value", d.context());
            in.putObject("dataset").put("name", d.name()).put("digest", d.digest())
                    .put("source_type", d.sourceType()).put("source", d.source());
        }
        String json = body.toString();
        call("runs/log-inputs", c -> c.sendPost("runs/log-inputs", json));
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper INPUTS_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    List<Service.Metric> metricHistory(String runId, String key) throws MlflowCallException {
        return call("metrics/get-history", c -> c.getMetricHistory(runId, key));
    }

    void setTerminated(String runId, Tracker.Status status, long endTime) throws MlflowCallException {
        Service.RunStatus s = Service.RunStatus.valueOf(status.name());
        call("runs/update", c -> {
            c.setTerminated(runId, s, endTime);
            return null;
        });
    }

    void deleteRun(String runId) throws MlflowCallException {
        call("runs/delete", c -> {
            c.deleteRun(runId);
            return null;
        });
    }

    /**
     * Uploads one file to {@code <artifact root>/<relativePath>} of a run whose artifact URI is
     * {@code mlflow-artifacts:/<exp>/<run>/artifacts} (served by the tracking server's proxy).
     */
    void upload(String artifactUri, String relativePath, Path file) throws MlflowCallException {
        String what = "artifact upload " + relativePath;
        URI target = artifactTarget(artifactUri, relativePath, what);
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (IOException e) {
            throw new MlflowCallException(MlflowCallException.Kind.TRANSIENT, false, 0,
                    what + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        Duration timeout = positive(settings.requestTimeout())
                .plus(Duration.ofMillis(Math.round(bytes * UPLOAD_SECONDS_PER_BYTE * 1000)));
        HttpRequest.Builder rb = HttpRequest.newBuilder(target).timeout(timeout)
                .header("Content-Type", "application/octet-stream");
        authorization().ifPresent(h -> rb.header("Authorization", h));
        HttpResponse<String> resp;
        try {
            resp = http.send(rb.PUT(HttpRequest.BodyPublishers.ofFile(file)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new MlflowCallException(MlflowCallException.Kind.TRANSIENT, false, 0, what + ": " + file + " is gone");
        } catch (HttpTimeoutException e) {
            throw new MlflowCallException(MlflowCallException.Kind.TRANSIENT, true, 0,
                    what + ": no response within " + seconds(timeout));
        } catch (ConnectException e) {
            throw new MlflowCallException(MlflowCallException.Kind.TRANSIENT, false, 0, what + ": " + redactor.describe(e));
        } catch (IOException e) {
            throw new MlflowCallException(MlflowCallException.Kind.TRANSIENT, true, 0, what + ": " + redactor.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlflowCallException(MlflowCallException.Kind.TRANSIENT, true, 0, what + ": interrupted");
        }
        int code = resp.statusCode();
        if (code / 100 != 2) {
            String hint = code == 404 || code == 405 || code == 501
                    ? " (does the tracking server proxy artifacts? start it with --serve-artifacts, the default since MLflow 2.0)"
                    : "";
            throw forStatus(code, redactor.redact(what + ": HTTP " + code + " " + shorten(resp.body())) + hint);
        }
    }

    private URI artifactTarget(String artifactUri, String relativePath, String what) throws MlflowCallException {
        URI a = URI.create(artifactUri);
        if (!"mlflow-artifacts".equals(a.getScheme())) {
            throw new MlflowCallException(MlflowCallException.Kind.REFUSED, false, 0, what + ": the run's artifact"
                    + " location is '" + artifactUri + "', which the tracking server does not proxy; deqbench uploads"
                    + " through the proxy (mlflow server --serve-artifacts, with --artifacts-destination for the store)");
        }
        String root = a.getPath().replaceAll("^/+", "").replaceAll("/+$", "");
        URI base = settings.trackingUri();
        String basePath = base.getPath() == null ? "" : base.getPath().replaceAll("/+$", "");
        try {
            return new URI(base.getScheme(), null, base.getHost(), base.getPort(),
                    basePath + ARTIFACTS_API + root + "/" + relativePath, null, null);
        } catch (URISyntaxException e) {
            throw new MlflowCallException(MlflowCallException.Kind.REJECTED, false, 0,
                    what + ": cannot form an upload address (" + e.getReason() + ")");
        }
    }

    private Optional<String> authorization() {
        if (settings.token() != null) {
            return Optional.of("Bearer " + settings.token());
        }
        if (settings.username() != null) {
            String pair = settings.username() + ":" + settings.password();
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.empty();
    }

    @Override
    public synchronized void close() {
        client.close();
        worker.shutdownNow();
    }
}
