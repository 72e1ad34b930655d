#!/bin/bash
# count/parse outputs of the built bin on every input, to compare two builds byte for byte:
#   node make-inputs.cjs; snapshot.sh /tmp/before; (change, npx tsc -b); snapshot.sh /tmp/after; diff -r /tmp/before /tmp/after
# Runs without --year infer the year from the clock: compare snapshots taken close together (a line
# near "one day ahead" of now may change its year between them).
# Usage: snapshot.sh <outdir> [inputs dir, default /tmp/lc-identity/in] [1M-line bench file]
set -u
OUT=$1; mkdir -p $OUT
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
BIN=$ROOT/apps/log-collector/bin/watchkeeper-log-collector.js
IN=${2:-/tmp/lc-identity/in}
BENCH=${3:-$ROOT/bench/.work/log-collector/auth-1000000.log}
run() { # name, args...
  local name=$1; shift
  node $BIN "$@" > $OUT/$name.out 2> $OUT/$name.err.raw; echo "rc=$?" >> $OUT/$name.out
  grep -v '^…' $OUT/$name.err.raw > $OUT/$name.err; rm $OUT/$name.err.raw
}
runhash() {
  local name=$1; shift
  node $BIN "$@" 2> $OUT/$name.err.raw | sha256sum > $OUT/$name.out
  grep -v '^…' $OUT/$name.err.raw > $OUT/$name.err; rm $OUT/$name.err.raw
}
run bench-utc count --file $BENCH --tz UTC --year 2024 --json
run bench-berlin count --file $BENCH --tz Europe/Berlin --year 2024 --json
run bench-noyear count --file $BENCH --json
run bench-text count --file $BENCH --tz America/New_York --year 2023
runhash bench-parse parse --file $BENCH --tz UTC --year 2024 --host alpha
for f in sample mixed rfc-dst wall-dst frac yearend; do
  for tz in UTC Europe/Berlin Asia/Kolkata America/Los_Angeles; do
    run $f-${tz//\//_} count --file $IN/$f.log --tz $tz --year 2024 --json
  done
  run $f-noyear count --file $IN/$f.log --json
  run $f-y2023-berlin count --file $IN/$f.log --json --year 2023 --tz Europe/Berlin
  run $f-text count --file $IN/$f.log --tz Europe/Berlin
  runhash $f-parse parse --file $IN/$f.log --tz Europe/Berlin --year 2023 --host h1
  runhash $f-parse-utc parse --file $IN/$f.log --tz UTC --host h1
done
run mixed-gz count --file $IN/mixed.log.gz --tz Europe/Berlin --json
run mixed-stdin count --file - --tz Europe/Berlin --json < $IN/mixed.log
run sample-stdin-gz count --file - --tz UTC --json < $IN/mixed.log.gz
