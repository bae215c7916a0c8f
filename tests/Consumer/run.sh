#!/usr/bin/env bash
# The packaging check: packs the libraries as `dotnet pack MLNet.AdamW.sln` does, then, in a temp
# folder outside the repository with its own nuget.config that adds the packed folder as a source
# (the machine's own sources stay), builds and runs what a user would write:
#   Training (through the class library Pipeline, plus TorchSharp-cpu): trains the README's
#     pipeline on penguins, saves model.zip and its scores; run with `dotnet run`, and again
#     published for linux-x64, which must give the same scores;
#   Tests (xunit, through the same class library, plus TorchSharp-cpu): `dotnet test`;
#   Scoring (MLNet.AdamW only, no native backend): loads model.zip and must predict exactly the
#     same scores without loading libtorch;
#   Onnx (MLNet.AdamW, Microsoft.ML.OnnxConverter, Microsoft.ML.OnnxRuntime): exports model.zip with
#     ml.Model.ConvertToOnnx and ONNX Runtime must score it as ML.NET did (within 1e-5);
#   the mlnet-adamw tool (MLNet.AdamW.Cli), installed into a temp --tool-path: a tiny sweep on a CSV file
#     here with two worker processes (the installed shim starting itself again), its leaderboard and refit model.
# Every package version is new (0.x.y-ci.<time>), and the consumer restores into its own package
# folder with the machine's as a read-only fallback, so a cached copy of an older build can never be
# what is tested, and the machine's cache is not written. Exits non-zero on the first failure.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mlnet-adamw-consumer.XXXXXX")
if [ "${KEEP_CONSUMER:-}" = 1 ]; then echo "consumer: keeping $work"; else trap 'rm -rf "$work"' EXIT; fi
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
step() { echo "consumer: $*"; }
fail() { echo "consumer: FAILED: $*" >&2; exit 1; }
start=$SECONDS

feed="$work/feed"
suffix="ci.$(date -u +%Y%m%d%H%M%S).$$"
step "packing MLNet.AdamW.sln with version suffix $suffix"
dotnet pack "$repo/MLNet.AdamW.sln" -c Release -o "$feed" --version-suffix "$suffix" -v q -nologo
version=$(cd "$feed" && ls MLNet.AdamW.Optimizers.*.nupkg | sed 's/^MLNet\.AdamW\.Optimizers\.\(.*\)\.nupkg$/\1/')
expected=$(printf '%s\n' "MLNet.AdamW.$version.nupkg" "MLNet.AdamW.$version.snupkg" \
  "MLNet.AdamW.Optimizers.$version.nupkg" "MLNet.AdamW.Optimizers.$version.snupkg" \
  "MLNet.AdamW.Sweeps.$version.nupkg" "MLNet.AdamW.Sweeps.$version.snupkg" \
  "MLNet.AdamW.Cli.$version.nupkg" "MLNet.AdamW.Cli.$version.snupkg" | sort)
[ "$(cd "$feed" && ls | sort)" = "$expected" ] || fail "expected exactly the four packages and their symbols, got: $(ls "$feed" | tr '\n' ' ')"
(cd "$feed" && ls -l | awk 'NR > 1 { printf "consumer:   %8d  %s\n", $5, $9 }')
# Listings are read whole before grep: `unzip ... | grep -q` under pipefail fails whenever grep quits
# before unzip has written everything (SIGPIPE), which made this check flaky.
nuspec=$(unzip -p "$feed/MLNet.AdamW.$version.nupkg" MLNet.AdamW.nuspec)
listing=$(unzip -l "$feed/MLNet.AdamW.Optimizers.$version.nupkg")
tool_settings=$(unzip -p "$feed/MLNet.AdamW.Cli.$version.nupkg" tools/net10.0/any/DotnetToolSettings.xml)
grep -q 'Command Name="mlnet-adamw"' <<<"$tool_settings" || fail "MLNet.AdamW.Cli is not a dotnet tool with the command mlnet-adamw"
grep -q 'README.md' <<<"$(unzip -l "$feed/MLNet.AdamW.Sweeps.$version.nupkg")" || fail "MLNet.AdamW.Sweeps packs no README.md"
grep -q 'id="Microsoft.ML" version="\[5.0.1\]"' <<<"$nuspec" \
  || fail "MLNet.AdamW's nuspec does not pin Microsoft.ML to [5.0.1]"
grep -q 'buildTransitive/MLNet.AdamW.Optimizers.targets' <<<"$listing" \
  || fail "MLNet.AdamW.Optimizers carries no buildTransitive targets"

main_cache=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: *//')
cp -r "$repo/tests/Consumer/Pipeline" "$repo/tests/Consumer/Training" "$repo/tests/Consumer/Tests" "$repo/tests/Consumer/Scoring" "$repo/tests/Consumer/Onnx" "$work/"
rm -rf "$work"/*/bin "$work"/*/obj
mkdir -p "$work/data" && cp "$repo/samples/Data/penguins.json" "$work/data/"
cat > "$work/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="mlnet-adamw-packed" value="$feed" />
  </packageSources>
  <fallbackPackageFolders>
    <add key="machine-cache" value="$main_cache" />
  </fallbackPackageFolders>
</configuration>
CONFIG
# The consumer's own settings: which build of MLNet.AdamW to use (and nothing else of the repository's).
cat > "$work/Directory.Build.props" <<PROPS
<Project>
  <PropertyGroup>
    <MLNetAdamWVersion>[$version]</MLNetAdamWVersion>
  </PropertyGroup>
</Project>
PROPS
export NUGET_PACKAGES="$work/packages"
cd "$work"

step "dotnet run: Training (MLNet.AdamW $version through a class library, TorchSharp-cpu)"
dotnet run --project Training -c Release -- data/penguins.json out/run || fail "the training app failed"

step "dotnet publish -r linux-x64: Training, run from the publish folder"
dotnet publish Training -c Release -r linux-x64 --self-contained false -o publish/Training -v q -nologo
publish/Training/Training data/penguins.json out/published || fail "the published training app failed"
cmp -s out/run/expected.tsv out/published/expected.tsv || fail "the published training app scored differently from dotnet run's"

step "dotnet test: Tests (xunit, through the class library, TorchSharp-cpu)"
dotnet test Tests -c Release -nologo || fail "the consumer's tests failed"

step "dotnet publish: Scoring (MLNet.AdamW only), run on the model"
dotnet publish Scoring -c Release -o publish/Scoring -v q -nologo
dotnet publish/Scoring/Scoring.dll out/run/model.zip out/run/expected.tsv || fail "the scoring-only app failed"

step "dotnet run: Onnx (MLNet.AdamW, OnnxConverter, ONNX Runtime): export model.zip, score it with ONNX Runtime"
dotnet run --project Onnx -c Release -- out/run/model.zip out/run/expected.tsv out/run/model.onnx || fail "the ONNX round trip failed"

step "dotnet tool install: mlnet-adamw $version into a tool path, then a tiny sweep on a CSV file here"
dotnet tool install MLNet.AdamW.Cli --version "$version" --tool-path "$work/tools" >/dev/null || fail "the tool did not install"
mkdir -p sweep && head -n 121 "$repo/samples/Data/seattle-weather.csv" > sweep/weather.csv
(cd sweep && "$work/tools/mlnet-adamw" sweep --dataset weather.csv --has-header --label-col weather --task multiclass-classification \
  --storage sqlite:sweep.db --study tiny --strategy grid --set LearningRate=1e-3,1e-2 --set NumberOfEpochs=2 --metric micro-accuracy --workers 2 \
  --output out) || fail "mlnet-adamw sweep failed"
[ "$(grep -c ',Complete,' sweep/out/leaderboard.csv)" = 2 ] || fail "the tool's leaderboard has not two complete trials: $(cat sweep/out/leaderboard.csv)"
[ -s sweep/out/model.zip ] || fail "the tool wrote no refit model"
(cd sweep && "$work/tools/mlnet-adamw" leaderboard --storage sqlite:sweep.db --study tiny) | grep -q 'LearningRate' || fail "mlnet-adamw leaderboard failed"

step "sizes: Training build output $(du -sh Training/bin/Release/net10.0 | cut -f1), published for linux-x64 $(du -sh publish/Training | cut -f1); Scoring published $(du -sh publish/Scoring | cut -f1)"
step "passed in $((SECONDS - start)) s"
