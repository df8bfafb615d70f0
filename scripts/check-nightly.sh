#!/bin/sh
# The checker's long run: every built-in protocol used as intended, 10^6 schedules of the standard scenario each,
# as shard SHARD of SHARDS (default 0 of 1); one JSON result per protocol in OUT (default check-nightly/), for
# `ftrace-lab check-merge`. Exit 1 when any protocol had a violation (its replay files are in OUT/replays).
set -eu
SHARD=${SHARD:-0}
SHARDS=${SHARDS:-1}
SCHEDULES=${SCHEDULES:-1000000}
OUT=${OUT:-check-nightly}
mkdir -p "$OUT"
status=0
for p in atomic stop-machine breakpoint stop-all; do
  for scheme in callops list; do
    node dist/cli/main.js check --scheme "$scheme" --protocol "$p" --schedules "$SCHEDULES" --shard "$SHARD/$SHARDS" \
      --json --out "$OUT/replays" > "$OUT/$scheme-$p-$SHARD.json" || status=1
  done
done
exit $status
