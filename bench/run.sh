#!/usr/bin/env bash
# Benchmark: `servqual report --format json` on a synthetic audit, next to the time of a
# bare record count of the same file (the floor: reading the CSV and nothing else).
#
#   bench/run.sh [RESPONDENTS ...]      default: 10000 1000000
#
# Data are generated deterministically (seeded) into bench/data/ (git-ignored) and
# reused on later runs. Prints wall time, rows/s, MB/s and peak RSS per size.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 1000000)

cargo build --release --quiet --bin servqual --example sample_data --example count_records
bin=target/release/servqual
gen=target/release/examples/sample_data
count=target/release/examples/count_records
mkdir -p bench/data

# Peak RSS in MB of a command, via GNU time if present, else /proc polling is skipped.
measure() { # label, command...
  local label=$1; shift
  local start end rss
  if [ -x /usr/bin/time ]; then
    start=$(date +%s.%N)
    /usr/bin/time -f '%M' -o bench/data/.rss "$@" >/dev/null
    end=$(date +%s.%N)
    rss=$(awk '{printf "%.1f", $1/1024}' bench/data/.rss)
  else
    start=$(date +%s.%N); "$@" >/dev/null; end=$(date +%s.%N); rss="n/a"
  fi
  echo "$label $(echo "$end - $start" | bc -l) $rss"
}

printf '%-12s %-8s %10s %12s %10s %10s\n' respondents run seconds rows/s MB/s peakRSS_MB
for n in "${sizes[@]}"; do
  dir=bench/data/n$n
  if [ ! -f "$dir/audit.yaml" ]; then
    mkdir -p "$dir"
    "$gen" customers "$dir/customers.csv" --respondents "$n" \
      --sites "S01,S02,S03,S04,S05,S06,S07,S08" --seed 42 --missing 0.02 --importance
    cat > "$dir/audit.yaml" <<YAML
audit: {id: bench-$n, title: Benchmark $n, period: {start: 2026-01-01, end: 2026-03-31}}
instrument: servqual-22
weights: survey
sources:
  customers: {file: customers.csv}
YAML
  fi
  mb=$(du -m "$dir/customers.csv" | cut -f1)
  for run in count report; do
    if [ $run = count ]; then
      read -r _ secs rss < <(measure count "$count" "$dir/customers.csv")
    else
      read -r _ secs rss < <(measure report "$bin" report "$dir/audit.yaml" --format json)
    fi
    printf '%-12s %-8s %10.3f %12.0f %10.1f %10s\n' "$n" "$run" "$secs" \
      "$(echo "$n / $secs" | bc -l)" "$(echo "$mb / $secs" | bc -l)" "$rss"
  done
done
