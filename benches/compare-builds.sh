#!/usr/bin/env bash
# A/B benchmark of two `gen` binaries, end to end: `gen render` from scratch of synthetic
# dedicated profiles of 10,000 and 100,000 Models, runs interleaved (A B B A …) so that
# whatever else the machine does falls on both alike. Prints the median wall time and
# peak RSS of each and B's change against A.
#
# Build the two binaries from two trees (or one tree with a change applied and reverted),
# copy them aside, then:
#
#   benches/compare-builds.sh GEN_A GEN_B [RUNS_10K] [RUNS_100K]
#
# The work folder (outputs of about 700 MB) is created under /dev/shm (tmpfs) when it
# exists, else /tmp, and removed at the end.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 GEN_A GEN_B [RUNS_10K] [RUNS_100K]" >&2; exit 2; }
a=$(realpath "$1") b=$(realpath "$2") runs_small=${3:-15} runs_large=${4:-7}
work=$(mktemp -d "$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp )/gen-ab.XXXXXX")
trap 'rm -rf "$work"' EXIT
cargo build --release --locked -q -p gen-render --example synth --manifest-path "$repo/Cargo.toml"
synth="$repo/target/release/examples/synth"
mkdir -p "$work/profiles"
"$synth" 200 50 > "$work/profiles/s10k.yaml"     # bundle out/synthetic-200x50
"$synth" 2000 50 > "$work/profiles/s100k.yaml"   # bundle out/synthetic-2000x50
cd "$work"

# wall seconds of one `gen render` from scratch
once() { # gen profile bundle
  rm -rf "out/$3"; sleep 0.3
  local t0 t1; t0=$(date +%s.%N); "$1" render -p "$2" >/dev/null 2>&1; t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'; }
rss_mb() { rm -rf "out/$3"; /usr/bin/time -f '%M' "$1" render -p "$2" 2>&1 >/dev/null | tail -1 | awk '{printf "%d", $1/1024}'; }

compare() { # profile bundle runs
  local ta=() tb=()
  once "$a" "$1" "$2" >/dev/null; once "$b" "$1" "$2" >/dev/null   # warm-up
  for i in $(seq "$3"); do
    if [ $((i % 2)) -eq 1 ]; then
      ta+=("$(once "$a" "$1" "$2")"); tb+=("$(once "$b" "$1" "$2")")
    else
      tb+=("$(once "$b" "$1" "$2")"); ta+=("$(once "$a" "$1" "$2")")
    fi
  done
  local ma mb
  ma=$(printf '%s\n' "${ta[@]}" | median); mb=$(printf '%s\n' "${tb[@]}" | median)
  echo "$1: A ${ma} s (runs: $(printf '%s\n' "${ta[@]}" | sort -g | xargs printf '%.3f ')), peak $(rss_mb "$a" "$1" "$2") MB"
  echo "$1: B ${mb} s (runs: $(printf '%s\n' "${tb[@]}" | sort -g | xargs printf '%.3f ')), peak $(rss_mb "$b" "$1" "$2") MB"
  echo "$1: B - A = $(echo "($mb - $ma) / $ma * 100" | bc -l | xargs printf '%+.1f') % of A"
  rm -rf "out/$2"
}
echo "workdir: $work ($(df -T . | awk 'NR==2{print $2}')); A = $a, B = $b"
compare s10k synthetic-200x50 "$runs_small"
compare s100k synthetic-2000x50 "$runs_large"
