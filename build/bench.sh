#!/usr/bin/env bash
# Builds the benchmark program in Release and runs the suite: every runtime (Otp.Net, Akka.NET, Proto.Actor and the
# bare-Channel baseline), medians of 3 runs in fresh processes, printed as a markdown table.
# Usage: bash build/bench.sh [workload...]   e.g. bash build/bench.sh pingpong call
#        bash build/bench.sh --quick [--record]   the regression guard: a 1-minute subset against quick-baseline.tsv
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release tests/Otp.Net.Benchmarks -v quiet -nologo >&2
exec tests/Otp.Net.Benchmarks/bin/Release/net10.0/Otp.Net.Benchmarks suite "$@"
