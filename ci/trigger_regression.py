#!/usr/bin/env python3
"""Triggers an experiment's regression DAG through the Airflow 3 REST API and waits for its verdict.

    AIRFLOW_URL=https://airflow.example.internal AIRFLOW_USERNAME=ci AIRFLOW_PASSWORD=... \\
    ci/trigger_regression.py --image registry.example.internal/deqbench:abc123 \\
        --experiment quickstart --baseline /runs/quickstart

1. ``POST /auth/token`` with the user name and password -> an access token (skipped when
   ``AIRFLOW_TOKEN`` holds one already);
2. ``POST /api/v2/dags/deqbench_regression_<experiment>/dagRuns`` (one DAG per experiment; non-word
   characters of the name as ``_``) with ``{dag_run_id, logical_date, conf}``,
   conf = ``{image, experiment, baseline[, gpu_image]}``;
3. ``GET /api/v2/dags/<dag id>/dagRuns/<run id>`` every ``--poll`` seconds until the run
   is ``success`` or ``failed``.

Exit code: 0 the run succeeded (no regression), 1 it failed (a regression, or a stage failed),
2 usage or API errors, 3 no verdict within ``--timeout``. Standard library only; credentials are
read from the environment, never from the command line. Redirects are never followed (a redirected
request would carry the token to whatever origin the answer names), and a plain ``http://`` URL to
another machine is refused unless ``--insecure`` says the network is trusted.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone

EXIT_SUCCESS, EXIT_FAILED, EXIT_ERROR, EXIT_TIMEOUT = 0, 1, 2, 3
TERMINAL = {"success": EXIT_SUCCESS, "failed": EXIT_FAILED}


class ApiError(Exception):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Turns every redirect into an error instead of re-sending the request (and its token)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def is_loopback(host: str | None) -> bool:
    h = (host or "").lower()
    return h == "localhost" or h.startswith("127.") or h in ("::1", "[::1]")


def check_transport(url: str, insecure: bool) -> str | None:
    """Why credentials must not go to ``url``, or None when they may."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http(s) URL of the Airflow API server"
    if parts.scheme == "http" and not is_loopback(parts.hostname) and not insecure:
        return (f"{url} is plain http: the Airflow credentials would cross the network unencrypted; "
                "use https://, or pass --insecure where the network is trusted")
    return None


class Airflow:
    """The three calls this script needs, with a bearer token renewed once on 401."""

    def __init__(self, base_url: str, username: str | None, password: str | None, token: str | None,
                 timeout: float = 30.0):
        self.base = base_url.rstrip("/")
        self.username, self.password = username, password
        self.token = token
        self.timeout = timeout

    def _request(self, method: str, path: str, body: dict | None = None, auth: bool = True) -> dict:
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if auth:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with _OPENER.open(req, timeout=self.timeout) as res:
                text = res.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            if 300 <= e.code < 400:
                raise ApiError(f"{method} {path}: HTTP {e.code} redirect to {e.headers.get('Location')!r} not "
                               "followed (credentials are never sent to another address); set AIRFLOW_URL to "
                               "the API server's own address", e.code) from None
            detail = e.read().decode("utf-8", "replace")[:500]
            raise ApiError(f"{method} {path}: HTTP {e.code} {detail}", e.code) from None
        except urllib.error.URLError as e:
            raise ApiError(f"{method} {self.base}{path}: {e.reason}") from None
        try:
            return json.loads(text) if text else {}
        except json.JSONDecodeError:
            raise ApiError(f"{method} {path}: the answer is not JSON: {text[:200]!r}") from None

    def login(self) -> None:
        if self.username is None or self.password is None:
            raise ApiError("no credentials: set AIRFLOW_TOKEN, or AIRFLOW_USERNAME and AIRFLOW_PASSWORD")
        answer = self._request("POST", "/auth/token",
                               {"username": self.username, "password": self.password}, auth=False)
        if not answer.get("access_token"):
            raise ApiError(f"POST /auth/token: no access_token in the answer (keys: {sorted(answer)})")
        self.token = answer["access_token"]

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        if self.token is None:
            self.login()
        try:
            return self._request(method, path, body)
        except ApiError as e:
            if e.status != 401 or self.username is None:
                raise
            self.login()  # the token expired during a long run
            return self._request(method, path, body)

    def trigger(self, dag_id: str, run_id: str, logical_date: str, conf: dict) -> dict:
        return self.call("POST", f"/api/v2/dags/{urllib.parse.quote(dag_id, safe='')}/dagRuns",
                         {"dag_run_id": run_id, "logical_date": logical_date, "conf": conf})

    def run_state(self, dag_id: str, run_id: str) -> str:
        answer = self.call("GET", f"/api/v2/dags/{urllib.parse.quote(dag_id, safe='')}/dagRuns/"
                                  f"{urllib.parse.quote(run_id, safe='')}")
        return str(answer.get("state"))


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--airflow-url", default=os.environ.get("AIRFLOW_URL"),
                   help="Airflow API server base URL (default: $AIRFLOW_URL)")
    p.add_argument("--dag-id", help="DAG to trigger (default: deqbench_regression_<experiment>)")
    p.add_argument("--image", required=True, help="candidate CPU image, e.g. registry.example.internal/deqbench:<sha>")
    p.add_argument("--gpu-image", help="candidate CUDA image (default in the DAG: <image>-cuda)")
    p.add_argument("--experiment", required=True, help="experiment with an exported plan in dags/plans/")
    p.add_argument("--baseline", required=True, help="baseline run directory (/runs/<experiment>) or MLflow run id")
    p.add_argument("--run-id", help="DAG run id (default: ci__<experiment>__<UTC time>)")
    p.add_argument("--poll", type=float, default=30.0, help="seconds between status checks (default 30)")
    p.add_argument("--timeout", type=float, default=6 * 3600.0, help="seconds to wait for a verdict (default 6 h)")
    p.add_argument("--insecure", action="store_true",
                   help="allow a plain http:// Airflow URL on another machine (a trusted network only)")
    args = p.parse_args(argv)
    if not args.airflow_url:
        p.error("no Airflow URL: pass --airflow-url or set AIRFLOW_URL")
    why = check_transport(args.airflow_url, args.insecure)
    if why:
        p.error(why)
    if args.poll <= 0 or args.timeout <= 0:
        p.error("--poll and --timeout must be > 0")
    if not args.dag_id:
        args.dag_id = "deqbench_regression_" + re.sub(r"[^A-Za-z0-9_-]", "_", args.experiment)
    return args


def main(argv: list[str] | None = None, env: dict | None = None, out=sys.stderr) -> int:
    env = os.environ if env is None else env
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as e:
        return EXIT_ERROR if e.code else EXIT_SUCCESS
    now = datetime.now(timezone.utc)
    run_id = args.run_id or f"ci__{args.experiment}__{now.strftime('%Y%m%dT%H%M%S')}"
    conf = {"image": args.image, "experiment": args.experiment, "baseline": args.baseline}
    if args.gpu_image:
        conf["gpu_image"] = args.gpu_image
    api = Airflow(args.airflow_url, env.get("AIRFLOW_USERNAME"), env.get("AIRFLOW_PASSWORD"),
                  env.get("AIRFLOW_TOKEN") or None)
    try:
        created = api.trigger(args.dag_id, run_id, now.isoformat().replace("+00:00", "Z"), conf)
        run_id = created.get("dag_run_id", run_id)
        print(f"triggered {args.dag_id} run {run_id} with conf {json.dumps(conf)}", file=out)
        print(f"  {api.base}/dags/{args.dag_id}/runs/{urllib.parse.quote(run_id, safe='')}", file=out)
        deadline = time.monotonic() + args.timeout
        state, last = None, None
        while True:
            state = api.run_state(args.dag_id, run_id)
            if state != last:
                print(f"{args.dag_id} run {run_id}: {state}", file=out)
                last = state
            if state in TERMINAL:
                return TERMINAL[state]
            if time.monotonic() + args.poll > deadline:
                hint = " (still queued: is the DAG paused?)" if state == "queued" else ""
                print(f"no verdict after {args.timeout:.0f} s; last state {state}{hint}", file=out)
                return EXIT_TIMEOUT
            time.sleep(args.poll)
    except ApiError as e:
        print(f"trigger_regression: {e}", file=out)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
