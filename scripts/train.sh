#!/usr/bin/env bash
# Trains µPC on Fashion-MNIST with the paper's defaults (H = 8, N = 128, ReLU, η = 0.1, β = 0.5, T = H, B = 64,
# 1 epoch) on a silo embedded in the client, installing what it needs first. Any `pcn train` option may follow,
# e.g. `bash scripts/train.sh --width 512 --depth 32`; see `pcn help`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --for train
dotnet build src/Client -c Release --nologo -v quiet
exec dotnet src/Client/bin/Release/net10.0/pcn.dll train "$@"
