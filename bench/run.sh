#!/usr/bin/env bash
# Benchmark: `servqual report --format json` on a synthetic audit (customers with 22 items,
# managers, 100,000 mystery-shopper visits), next to a bare record count of its data files
# (the floor: reading the CSV with the csv crate and nothing else).
#
#   bench/run.sh [--repeat N] [RESPONDENTS ...]   default: 1000000, best of 3 runs
#   bench/run.sh --memory [--10m]                 peak RSS from 10k to 1M (10M with --10m:
#                                                 about 1.2 GB of disk)
#   bench/run.sh --segments [--repeat N]          peak RSS of many segments and of a history:
#                                                 `--by site` over 10,000 and 100,000 sites,
#                                                 `--history 12` of twelve months of 1M rows
#
# Data are generated deterministically (seeded) into bench/data/ (git-ignored) and reused
# on later runs. For each size it prints wall seconds, respondents/s, MB/s and peak RSS of:
#   count     bare record count of customers.csv and visits.csv (examples/count_records)
#   report    servqual report, chunked reading on every core (the default)
#   1-thread  the same with SERVQUAL_THREADS=1
#   seq       the same with SERVQUAL_THREADS=0 (the plain sequential reader)
#   count-c   bare record count of customers.csv alone
#   report-c  servqual report of an audit with the customer survey only
#   random-c  the same with the customers' ids in no order (as Qualtrics writes them), which
#             costs a second reading (docs/files.md#repeated-rows)
#   import    servqual import of customers.csv into an empty audit (if the binary has it)
# and the ratio to the count above it (for import: to the report's time). Times are the best of N
# runs, taken in rounds (each run once per round): other work on the machine only ever makes a
# run slower, so the minimum is the least noisy estimate, and rounds spread slow spells evenly.
set -euo pipefail
cd "$(dirname "$0")/.."

repeat=3
memory=0
segments=0
ten_m=0
sizes=()
while [ $# -gt 0 ]; do
  case $1 in
    --repeat) repeat=$2; shift 2 ;;
    --memory) memory=1; shift ;;
    --segments) segments=1; shift ;;
    --10m) ten_m=1; shift ;;
    *) sizes+=("$1"); shift ;;
  esac
done
if [ $memory = 1 ]; then
  sizes=(10000 100000 1000000)
  [ $ten_m = 0 ] || sizes+=(10000000)
fi
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000)

cargo build --release --quiet --bin servqual --example sample_data --example count_records
bin=$PWD/target/release/servqual
gen=$PWD/target/release/examples/sample_data
count=$PWD/target/release/examples/count_records
visits=100000
sites="S01,S02,S03,S04,S05,S06,S07,S08"
mkdir -p bench/data

# Runs a command once; prints its wall seconds and peak RSS (MB), or `failed 0`.
measure() {
  local start end
  start=$(date +%s.%N)
  if ! /usr/bin/time -f '%M' -o bench/data/.rss "$@" >/dev/null 2>&1; then
    echo "failed 0"
    return 0
  fi
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc -l) $(awk '{printf "%.1f", $1/1024}' bench/data/.rss)"
}

# Keeps run $1's best time ($2) and largest peak RSS ($3) in the arrays `best` and `peak`
# of the caller; a run that failed once stays failed.
keep() {
  local run=$1 secs=$2 rss=$3
  if [ "$secs" = failed ] || [ "${best[$run]:-}" = failed ]; then
    best[$run]=failed
    return 0
  fi
  if [ -z "${best[$run]:-}" ] || [ "$(echo "$secs < ${best[$run]}" | bc -l)" = 1 ]; then
    best[$run]=$secs
  fi
  if [ "$(echo "$rss > ${peak[$run]:-0}" | bc -l)" = 1 ]; then peak[$run]=$rss; fi
}

# --segments: memory of segments and of a history, not time. Each run once per round;
# the table shows the best time and the largest peak RSS.
if [ $segments = 1 ]; then
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); best of $repeat runs"
  # 200,000 respondents spread over 10,000 and over 100,000 sites (20 and 2 per site).
  for n_sites in 10000 100000; do
    dir=bench/data/sites$n_sites
    if [ ! -f "$dir/.complete" ]; then
      rm -rf "$dir"
      "$bin" init --template servqual-22 "$dir" >/dev/null 2>&1
      "$gen" customers "$dir/data/customers.csv" --respondents 200000 --seed 42 --missing 0.02 \
        --site-count "$n_sites"
      touch "$dir/.complete"
    fi
  done
  # Twelve months of 1,008,000 respondents (84,000 a month) in one file, as monthly
  # imports leave it, for a schedule: monthly audit.
  dir=bench/data/monthly
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    "$bin" init --template servqual-22 "$dir" >/dev/null 2>&1
    sed -i 's/^  schedule: quarterly/  schedule: monthly/' "$dir/audit.yaml"
    for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
      "$gen" customers "$dir/data/m$m.csv" --respondents 84000 --sites "$sites" \
        --seed "1$m" --missing 0.02 --date "2026-$m-15"
    done
    { head -1 "$dir/data/m01.csv"; for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
      tail -n +2 "$dir/data/m$m.csv"; done; } > "$dir/data/customers.csv"
    rm -f "$dir"/data/m*.csv
    touch "$dir/.complete"
  fi
  printf '%-16s %9s %10s\n' run seconds peakRSS_MB
  runs=(by-site-10k by-site-10k-json by-site-100k month history-12 history-12-by)
  declare -A best=() peak=()
  for _ in $(seq "$repeat"); do
    for run in "${runs[@]}"; do
      case $run in
        by-site-10k) args=(bench/data/sites10000/audit.yaml --period 2026-Q1 --by site) ;;
        by-site-10k-json) args=(bench/data/sites10000/audit.yaml --period 2026-Q1 --by site --format json) ;;
        by-site-100k) args=(bench/data/sites100000/audit.yaml --period 2026-Q1 --by site) ;;
        month) args=(bench/data/monthly/audit.yaml --period 2026-12 --format json) ;;
        history-12) args=(bench/data/monthly/audit.yaml --period 2026-12 --history 12 --format json) ;;
        history-12-by) args=(bench/data/monthly/audit.yaml --period 2026-12 --history 12 --by site --format json) ;;
      esac
      read -r secs rss < <(measure "$bin" report "${args[@]}")
      keep "$run" "$secs" "$rss"
    done
  done
  for run in "${runs[@]}"; do
    if [ "${best[$run]}" = failed ]; then
      echo "$run: failed (run it by hand to see why)"
      continue
    fi
    printf '%-16s %9.3f %10s\n' "$run" "${best[$run]}" "${peak[$run]}"
  done
  exit 0
fi

# Both data files counted, one after the other: the floor for reading them.
count_both() { "$count" "$1/data/customers.csv" && "$count" "$1/data/visits.csv"; }

# A fresh copy of the audit without its customers, for the import (not timed: deleting
# the last run's 115 MB data file and `init` are no part of an import).
prepare_import() {
  rm -rf bench/data/import
  "$bin" init --template form-retail bench/data/import >/dev/null 2>&1
  rm -f bench/data/import/data/customers.csv
}

# /usr/bin/time runs programs, not shell functions: run these through bash.
export bin count
export -f count_both

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); best of $repeat runs"
# The generated rows are dated from 2026-01-01: the report names their quarter, as a
# monthly CI job names its period (without --period a schedule-only audit first scans
# the date columns for the latest period with rows, one more pass over the files).
period="--period 2026-Q1"
printf '%-12s %-9s %9s %13s %9s %10s %7s\n' respondents run seconds respondents/s MB/s peakRSS_MB ratio
for n in "${sizes[@]}"; do
  dir=bench/data/n$n
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    "$bin" init --template form-retail "$dir" >/dev/null 2>&1
    "$gen" customers "$dir/data/customers.csv" --respondents "$n" --sites "$sites" \
      --seed 42 --missing 0.02
    "$gen" visits "$dir/data/visits.csv" --audit "$dir/audit.yaml" --visits "$visits" \
      --sites "$sites" --seed 7
    touch "$dir/.complete"
  fi
  # The customer survey alone, to compare with the count of its one file; and the same
  # rows under ids in no order: R_ and 8 hex digits, n × an odd number modulo 2^32 (all
  # different).
  random_ids=$dir/data/customers-random-ids.csv
  if [ ! -f "$random_ids" ]; then
    awk -F, -v OFS=, 'NR > 1 { $1 = sprintf("R_%08x", ((NR - 1) * 2654435761) % 4294967296) } 1' \
      "$dir/data/customers.csv" > "$random_ids.part"
    mv "$random_ids.part" "$random_ids"
  fi
  for survey in customers customers-random-ids; do
    cat > "$dir/$survey.yaml" <<YAML
audit: {id: bench-customers, title: Customers only, period: {start: 2026-01-01, end: 2026-03-31}}
instrument: servqual-22
weights: {tangibles: 10, reliability: 30, responsiveness: 20, professionalism: 20, empathy: 20}
sources:
  customers: {file: data/$survey.csv}
YAML
  done
  mb=$(du -cm "$dir/data/customers.csv" "$dir/data/visits.csv" | tail -1 | cut -f1)
  mbc=$(du -m "$dir/data/customers.csv" | cut -f1)
  runs=(count report 1-thread seq count-c report-c random-c)
  "$bin" import --help >/dev/null 2>&1 && runs+=(import)
  # Rounds: every run once per round, so that a slow spell of a shared machine slows the
  # counts and the reports alike; each run keeps its best time and its largest RSS.
  declare -A best=() peak=()
  for _ in $(seq "$repeat"); do
    for run in "${runs[@]}"; do
      case $run in
        count) read -r secs rss < <(measure bash -c 'count_both "$0"' "$dir") ;;
        report) read -r secs rss < <(measure "$bin" report "$dir/audit.yaml" $period --format json) ;;
        1-thread) read -r secs rss < <(SERVQUAL_THREADS=1 measure "$bin" report "$dir/audit.yaml" $period --format json) ;;
        seq) read -r secs rss < <(SERVQUAL_THREADS=0 measure "$bin" report "$dir/audit.yaml" $period --format json) ;;
        count-c) read -r secs rss < <(measure "$count" "$dir/data/customers.csv") ;;
        report-c) read -r secs rss < <(measure "$bin" report "$dir/customers.yaml" --format json) ;;
        random-c) read -r secs rss < <(measure "$bin" report "$dir/customers-random-ids.yaml" --format json) ;;
        import)
          prepare_import
          read -r secs rss < <(measure "$bin" -q import bench/data/import/audit.yaml 2>/dev/null \
            --source customers "$dir/data/customers.csv" --preset plain)
          ;;
      esac
      keep "$run" "$secs" "$rss"
    done
  done
  for run in "${runs[@]}"; do
    secs=${best[$run]}
    rss=${peak[$run]:-0}
    if [ "$secs" = failed ]; then
      echo "$n $run: failed (run it by hand to see why)"
      continue
    fi
    case $run in
      count | count-c) floor=$secs ;;
      report) report_secs=$secs ;;
      # The import's target is against the report, not the count.
      import) floor=$report_secs ;;
    esac
    # MB/s of what the run reads: both files, or the customers alone.
    case $run in count | report | 1-thread | seq) size=$mb ;; *) size=$mbc ;; esac
    printf '%-12s %-9s %9.3f %13.0f %9.1f %10s %7.2f\n' "$n" "$run" "$secs" \
      "$(echo "$n / $secs" | bc -l)" "$(echo "$size / $secs" | bc -l)" "$rss" \
      "$(echo "$secs / $floor" | bc -l)"
  done
done
