#!/bin/sh
# Regenerates dags/plans/<experiment>.json from experiments/*.yaml with 'deqbench plan'.
# Spec paths are recorded relative to the repository root, which is the working directory of
# the images (docker/): /opt/deqbench/experiments/<spec>.yaml inside a pod. Each experiment's
# run directory is /runs/<experiment> on the shared runs volume.
#   dags/export_plans.sh            # then commit dags/plans/ (a JUnit test fails while it is stale)
# DEQBENCH overrides the launcher (default: ./deqbench, which builds the jar on first use).
set -eu
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"
DEQBENCH=${DEQBENCH:-./deqbench}
OUT=dags/plans
mkdir -p "$OUT"
rm -f "$OUT"/*.json
found=0
for spec in experiments/*.yaml; do
  [ -f "$spec" ] || continue
  found=1
  # The experiment name is the spec's 'name'; the first call only reads it from the plan.
  name=$($DEQBENCH plan "$spec" | python3 -c 'import json, sys; print(json.load(sys.stdin)["experiment"])')
  $DEQBENCH plan "$spec" --run-dir "/runs/$name" > "$OUT/$name.json.tmp"
  mv "$OUT/$name.json.tmp" "$OUT/$name.json"
  echo "$OUT/$name.json  <-  $spec" >&2
done
if [ "$found" -eq 0 ]; then
  echo "export_plans.sh: no experiments/*.yaml" >&2
  exit 2
fi
