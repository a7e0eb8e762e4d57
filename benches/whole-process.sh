#!/usr/bin/env bash
# Whole-process benchmark of `gen render` on synthetic dedicated profiles, against `cp -r`
# of the same output on the same filesystem. Prints median wall times (one warm-up run,
# then timed runs, each after removing the previous output), peak RSS (/usr/bin/time) and
# the ratios the targets ask for.
#
# Usage: benches/whole-process.sh [WORKDIR]   (default: a fresh folder under /dev/shm or
# /tmp, removed at the end: the outputs take about 700 MB)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ge 1 ]; then
  work=$1
else
  work=$(mktemp -d "$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp )/gen-bench.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
cargo build --release --locked -q -p gen-cli -p gen-render --bins --examples --manifest-path "$repo/Cargo.toml"
gen=${GEN:-$repo/target/release/gen}   # GEN=path: measure another build
synth="$repo/target/release/examples/synth"
mkdir -p "$work/profiles"
"$synth" 200 50 > "$work/profiles/synthetic.yaml"        # bundle out/synthetic-200x50
"$synth" 2000 50 > "$work/profiles/synthetic-100k.yaml"  # bundle out/synthetic-2000x50
cd "$work"
echo "workdir: $work ($(df -T . | awk 'NR==2{print $2}'))"

# median wall seconds of COMMAND over RUNS runs after one warm-up, running PREPARE before
# each (and letting the filesystem settle after it)
median() { # runs prepare command...
  local runs=$1 prepare=$2; shift 2
  local times=()
  bash -c "$prepare"; "$@" >/dev/null 2>&1
  for _ in $(seq "$runs"); do
    bash -c "$prepare"; sleep 0.5
    local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'
}
rss_kb() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }

small=out/synthetic-200x50 large=out/synthetic-2000x50
"$gen" render -p synthetic >/dev/null 2>&1
files=$(find "$small" -type f | wc -l)
scratch=$(median 11 "rm -rf $small" "$gen" render -p synthetic)
"$gen" render -p synthetic >/dev/null 2>&1
rerender=$(median 7 "true" "$gen" render -p synthetic)
copy=$(median 11 "rm -rf copy" cp -r "$small" copy)
check_examples=$(cd "$repo" && median 11 "true" "$gen" check --all)
rm -rf "$small"
rss10k=$(rss_kb "$gen" render -p synthetic)
big=$(median 7 "rm -rf $large" "$gen" render -p synthetic-100k)
rerender_big=$(median 5 "true" "$gen" render -p synthetic-100k)
copy_big=$(median 5 "rm -rf copy" cp -r "$large" copy)
rm -rf copy
rm -rf "$large"
rss100k=$(rss_kb "$gen" render -p synthetic-100k)

echo "10,000 models: $files files"
echo "  cp -r of the output           ${copy} s"
echo "  gen render from scratch       ${scratch} s  = $(echo "$scratch / $copy" | bc -l | xargs printf '%.2f')x cp -r (target <= 2)"
echo "  gen render, nothing changed   ${rerender} s  = $(echo "$rerender / $copy" | bc -l | xargs printf '%.2f')x cp -r (target <= 2)"
echo "  peak RSS                      $((rss10k / 1024)) MB"
echo "100,000 models:"
echo "  gen render from scratch       ${big} s  = $(echo "$big / $scratch" | bc -l | xargs printf '%.1f')x the 10,000-model time (target <= 10)"
echo "    (cp -r of the output: ${copy_big} s = $(echo "$copy_big / $copy" | bc -l | xargs printf '%.1f')x its 10,000-model time)"
echo "  gen render, nothing changed   ${rerender_big} s  = $(echo "$rerender_big / $copy_big" | bc -l | xargs printf '%.2f')x cp -r (target <= 2)"
echo "  peak RSS                      $((rss100k / 1024)) MB (target <= 300)"
echo "gen check --all on the examples ${check_examples} s (target <= 0.030)"
