#!/usr/bin/env bash
# Benchmark: `servqual import` of a synthetic plain-preset export, next to the time of
# `servqual report --format json` on the audit it produces.
#
#   bench/import.sh [RESPONDENTS ...]      default: 1000000
#
# For each size: a deterministic (seeded) export of RESPONDENTS customers x 22 items with
# importance points is generated into bench/data/import-N/ (git-ignored; the plain preset
# is the data file's own layout), then
#   import   into an empty data file (every row is added),
#   reimport the same export again (every row is a duplicate: the id index is full),
#   report   `servqual report --format json` on the resulting 1-file audit.
# Prints wall time, rows/s, CPU time (user + system, both cores) and peak RSS (GNU time)
# of each, and the import/report ratios of wall time. A large UTF-8 export is imported on
# every core, so on a busy machine its wall time grows towards its CPU time.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000)

cargo build --release --quiet --bin servqual --example sample_data
bin=target/release/servqual
gen=target/release/examples/sample_data
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time)" >&2; exit 1; }

# Runs a command; prints "seconds cpu_seconds peakRSS_MB" (from GNU time).
measure() {
  local out=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$out.time" "$@" >"$out.stdout" 2>"$out.stderr" || {
    echo "failed: $*" >&2; cat "$out.stderr" >&2; exit 1; }
  awk '{printf "%s %.2f %.1f\n", $1, $2 + $3, $4/1024}' "$out.time"
}

printf '%-12s %-9s %9s %12s %9s %11s\n' respondents run seconds rows/s cpu_s peakRSS_MB
for n in "${sizes[@]}"; do
  dir=bench/data/import-$n
  mkdir -p "$dir"
  if [ ! -f "$dir/export.csv" ]; then
    "$gen" customers "$dir/export.csv" --respondents "$n" \
      --sites "S01,S02,S03,S04,S05,S06,S07,S08" --seed 42 --missing 0.02 --importance
  fi
  cat > "$dir/audit.yaml" <<YAML
audit: {id: import-$n, title: Import benchmark $n, period: {start: 2026-01-01, end: 2026-03-31}}
instrument: servqual-22
weights: survey
sources:
  customers: {file: customers.csv}
YAML
  rm -f "$dir/customers.csv"
  declare -A secs=()
  for run in import reimport report; do
    if [ $run = report ]; then
      read -r s cpu rss < <(measure "$dir/$run" "$bin" report "$dir/audit.yaml" --format json)
    else
      read -r s cpu rss < <(measure "$dir/$run" "$bin" -q import "$dir/audit.yaml" \
        --source customers "$dir/export.csv")
    fi
    secs[$run]=$s
    printf '%-12s %-9s %9.2f %12.0f %9s %11s\n' "$n" "$run" "$s" \
      "$(echo "$n / ($s + 0.001)" | bc -l)" "$cpu" "$rss"
  done
  # The import must have added every row, and the re-import none (the summary is on stderr).
  grep -Eq "added +$n\$" "$dir/import.stderr" || { echo "import did not add $n rows" >&2; cat "$dir/import.stderr" >&2; exit 1; }
  grep -Eq "duplicates +$n\$" "$dir/reimport.stderr" || { echo "re-import did not find $n duplicates" >&2; cat "$dir/reimport.stderr" >&2; exit 1; }
  printf '%-12s import/report %.2f   reimport/report %.2f\n' "$n" \
    "$(echo "${secs[import]} / ${secs[report]}" | bc -l)" \
    "$(echo "${secs[reimport]} / ${secs[report]}" | bc -l)"
done
