#!/usr/bin/env bash
# Throughput of `mlnet-adamw sweep` with 1 and 2 worker processes (trials per minute), on the shipped
# Seattle weather (1,461 days: the weather class from precipitation, temperatures and wind).
# The same 24-cell grid (6 learning rates × 4 weight decays, 100 epochs, 3-fold cross-validation) runs into a fresh SQLite
# file for each worker count; the time is the command's wall clock, start-up, the final refit and the
# outputs included; the mean fit time per trial comes from the leaderboard. Prints the machine's load before
# each run (the numbers mean little on a busy machine).
#   bash benchmarks/CliThroughput/run.sh            # Release build of src/MLNet.AdamW.Cli, then both runs
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mlnet-adamw-throughput.XXXXXX")
trap 'rm -rf "$work"' EXIT
dotnet build "$repo/src/MLNet.AdamW.Cli" -c Release -v q -nologo >/dev/null
tool="$repo/src/MLNet.AdamW.Cli/bin/Release/net10.0/mlnet-adamw.dll"
trials=24
echo "| workers | trials | wall time (s) | trials per minute | mean fit time per trial (s) | load before (1 min) |"
echo "|---:|---:|---:|---:|---:|---:|"
for workers in 1 2; do
  load=$(cut -d' ' -f1 /proc/loadavg)
  start=$(date +%s.%N)
  (cd "$work" && dotnet "$tool" sweep --dataset "$repo/samples/Data/seattle-weather.csv" --has-header --label-col weather \
    --ignore-cols date --task multiclass-classification --metric macro-accuracy \
    --storage "sqlite:w$workers.db" --study throughput --strategy grid --seed 1 \
    --set LearningRate=3e-4,1e-3,3e-3,1e-2,3e-2,1e-1 --set WeightDecay=1e-4,1e-3,1e-2,1e-1 --set NumberOfEpochs=100 \
    --cv-folds 3 --workers "$workers" --output "out$workers" >"$work/log$workers.txt")
  end=$(date +%s.%N)
  fit=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fit_seconds") c = i } NR > 1 { s += $c; n++ } END { printf "%.2f", s / n }' "$work/out$workers/leaderboard.csv")
  awk -v w="$workers" -v n="$trials" -v s="$start" -v e="$end" -v l="$load" -v f="$fit" \
    'BEGIN { t = e - s; printf "| %d | %d | %.1f | %.1f | %s | %s |\n", w, n, t, n / (t / 60), f, l }'
done
