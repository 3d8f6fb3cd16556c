#!/usr/bin/env bash
# Builds and runs the benchmarks in Release: FMA peak, GEMM, one µPC batch, one Fashion-MNIST epoch (µPC and BP).
# Extra arguments go to the benchmark (--quick, --skip-epoch, --data-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --for train
dotnet build bench/Pcn.Benchmarks -c Release --nologo -v quiet
exec dotnet bench/Pcn.Benchmarks/bin/Release/net10.0/pcn-bench.dll "$@"
