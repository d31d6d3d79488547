"""ci/trigger_regression.py against a local stand-in of Airflow 3's /auth/token and dagRuns API."""
from __future__ import annotations

import io
import json
import sys
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import trigger_regression  # noqa: E402


class FakeAirflow:
    """Records requests; answers like the Airflow 3 API server for one user and one DAG."""

    def __init__(self, states, dag_id="deqbench_regression_quickstart"):
        self.states = list(states)
        self.dag_id = dag_id
        self.requests = []
        self.runs = {}
        self.tokens_issued = 0
        self.expire_token_after_polls = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self):
                n = int(self.headers.get("Content-Length", 0))
                return json.loads(self.rfile.read(n)) if n else None

            def _authorised(self):
                return self.headers.get("Authorization") == f"Bearer token-{fake.tokens_issued}"

            def do_POST(self):
                body = self._body()
                fake.requests.append(("POST", self.path, body, self.headers.get("Authorization")))
                if self.path == "/auth/token":
                    if body == {"username": "ci", "password": "s3cret"}:
                        fake.tokens_issued += 1
                        return self._send(201, {"access_token": f"token-{fake.tokens_issued}"})
                    return self._send(401, {"detail": "Invalid credentials"})
                if self.path == f"/api/v2/dags/{fake.dag_id}/dagRuns":
                    if not self._authorised():
                        return self._send(401, {"detail": "Not authenticated"})
                    if "logical_date" not in body:
                        return self._send(422, {"detail": "logical_date: Field required"})
                    run_id = body.get("dag_run_id") or "manual__x"
                    fake.runs[run_id] = body
                    return self._send(200, {"dag_run_id": run_id, "dag_id": fake.dag_id, "state": "queued",
                                            "conf": body.get("conf")})
                if self.path.startswith("/api/v2/dags/"):
                    return self._send(404, {"detail": "The Dag with ID: `x` was not found"})
                self._send(404, {"detail": "Not Found"})

            def do_GET(self):
                fake.requests.append(("GET", self.path, None, self.headers.get("Authorization")))
                prefix = f"/api/v2/dags/{fake.dag_id}/dagRuns/"
                if not self.path.startswith(prefix):
                    return self._send(404, {"detail": "Not Found"})
                polls = sum(1 for r in fake.requests if r[0] == "GET")
                if fake.expire_token_after_polls is not None and polls == fake.expire_token_after_polls + 1 \
                        and fake.tokens_issued == 1:
                    return self._send(401, {"detail": "Token expired"})
                if not self._authorised():
                    return self._send(401, {"detail": "Not authenticated"})
                run_id = self.path[len(prefix):]
                if run_id not in fake.runs:
                    return self._send(404, {"detail": "DagRun not found"})
                state = fake.states.pop(0) if len(fake.states) > 1 else fake.states[0]
                self._send(200, {"dag_run_id": run_id, "state": state})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


ENV = {"AIRFLOW_USERNAME": "ci", "AIRFLOW_PASSWORD": "s3cret"}
ARGS = ["--image", "registry.example.internal/deqbench:abc123", "--experiment", "quickstart",
        "--baseline", "/runs/quickstart", "--poll", "0.01", "--timeout", "5"]


def run(fake, extra=(), env=ENV):
    out = io.StringIO()
    code = trigger_regression.main(["--airflow-url", fake.url, *ARGS, *extra], env=env, out=out)
    return code, out.getvalue()


class TriggerRegression(unittest.TestCase):
    def test_success_exits_zero_after_logging_in_triggering_with_the_conf_and_polling(self):
        with FakeAirflow(["queued", "running", "running", "success"]) as fake:
            code, out = run(fake, ["--run-id", "ci__quickstart__1"])
        self.assertEqual(code, 0, out)
        method, path, body, auth = fake.requests[0]
        self.assertEqual((method, path, auth), ("POST", "/auth/token", None))
        method, path, body, auth = fake.requests[1]
        self.assertEqual((method, path, auth), ("POST", "/api/v2/dags/deqbench_regression_quickstart/dagRuns", "Bearer token-1"))
        self.assertEqual(body["conf"], {"image": "registry.example.internal/deqbench:abc123",
                                        "experiment": "quickstart", "baseline": "/runs/quickstart"})
        self.assertEqual(body["dag_run_id"], "ci__quickstart__1")
        self.assertRegex(body["logical_date"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
        gets = [r for r in fake.requests if r[0] == "GET"]
        self.assertEqual(len(gets), 4)
        self.assertTrue(all(r[1] == "/api/v2/dags/deqbench_regression_quickstart/dagRuns/ci__quickstart__1" for r in gets))
        self.assertIn("ci__quickstart__1: success", out)
        self.assertNotIn("s3cret", out)

    def test_a_failed_run_exits_one(self):
        with FakeAirflow(["running", "failed"]) as fake:
            code, out = run(fake, ["--gpu-image", "registry.example.internal/deqbench:abc123-cuda"])
        self.assertEqual(code, 1, out)
        self.assertEqual(fake.requests[1][2]["conf"]["gpu_image"], "registry.example.internal/deqbench:abc123-cuda")
        self.assertRegex(fake.requests[1][2]["dag_run_id"], r"^ci__quickstart__\d{8}T\d{6}$")

    def test_bad_credentials_or_unknown_dag_exit_two_with_the_apis_answer(self):
        with FakeAirflow(["success"]) as fake:
            code, out = run(fake, env={"AIRFLOW_USERNAME": "ci", "AIRFLOW_PASSWORD": "wrong"})
            self.assertEqual(code, 2)
            self.assertIn("POST /auth/token: HTTP 401", out)
            code, out = run(fake, ["--dag-id", "no_such_dag"])
            self.assertEqual(code, 2)
            self.assertIn("HTTP 404", out)
            code, out = run(fake, env={})
            self.assertEqual(code, 2)
            self.assertIn("AIRFLOW_USERNAME", out)

    def test_a_token_from_the_environment_is_used_without_logging_in(self):
        with FakeAirflow(["success"]) as fake:
            fake.tokens_issued = 7
            code, out = run(fake, env={"AIRFLOW_TOKEN": "token-7"})
        self.assertEqual(code, 0, out)
        self.assertFalse(any(r[1] == "/auth/token" for r in fake.requests))

    def test_an_expired_token_is_renewed_once_during_polling(self):
        with FakeAirflow(["running", "running", "success"]) as fake:
            fake.expire_token_after_polls = 1
            code, out = run(fake)
        self.assertEqual(code, 0, out)
        self.assertEqual(fake.tokens_issued, 2)

    def test_no_verdict_before_the_timeout_exits_three_and_hints_at_a_paused_dag(self):
        with FakeAirflow(["queued"], dag_id="deqbench_regression_e") as fake:
            out = io.StringIO()
            code = trigger_regression.main(["--airflow-url", fake.url, "--image", "i", "--experiment", "e",
                                            "--baseline", "b", "--poll", "0.01", "--timeout", "0.05"],
                                           env=ENV, out=out)
        self.assertEqual(code, 3)
        self.assertIn("is the DAG paused?", out.getvalue())

    def test_missing_arguments_exit_two(self):
        err = io.StringIO()
        saved, sys.stderr = sys.stderr, err
        try:
            self.assertEqual(trigger_regression.main(["--image", "i"], env={}), 2)
            self.assertEqual(trigger_regression.main(ARGS, env={}), 2)  # no --airflow-url, no AIRFLOW_URL
        finally:
            sys.stderr = saved
        self.assertIn("AIRFLOW_URL", err.getvalue())

    def test_a_redirect_is_not_followed_and_the_token_never_reaches_another_origin(self):
        with FakeAirflow(["success"]) as other:
            class Redirect(BaseHTTPRequestHandler):
                def log_message(self, *args):
                    pass

                def _redirect(self):
                    self.send_response(307)
                    self.send_header("Location", other.url + self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

                do_GET = do_POST = _redirect

            server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            try:
                out = io.StringIO()
                code = trigger_regression.main(["--airflow-url", f"http://127.0.0.1:{server.server_address[1]}",
                                                *ARGS], env={"AIRFLOW_TOKEN": "token-secret"}, out=out)
            finally:
                server.shutdown()
                server.server_close()
        self.assertEqual(code, 2, out.getvalue())
        self.assertIn("redirect", out.getvalue())
        self.assertEqual(other.requests, [], "the redirect was followed")
        self.assertNotIn("token-secret", out.getvalue())

    def test_plain_http_to_another_machine_is_refused_unless_insecure(self):
        err = io.StringIO()
        saved, sys.stderr = sys.stderr, err
        try:
            code = trigger_regression.main(["--airflow-url", "http://airflow.example.internal", *ARGS], env=ENV)
        finally:
            sys.stderr = saved
        self.assertEqual(code, 2)
        self.assertIn("--insecure", err.getvalue())
        self.assertIsNone(trigger_regression.check_transport("http://airflow.example.internal", True))
        self.assertIsNone(trigger_regression.check_transport("https://airflow.example.internal", False))
        self.assertIsNone(trigger_regression.check_transport("http://127.0.0.1:8080", False))


if __name__ == "__main__":
    unittest.main()
