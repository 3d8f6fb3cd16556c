#!/usr/bin/env bash
# Installs what Pcn needs on Debian.
#   bash scripts/install-deps.sh [--for train|test]
# --for train (training, sweeps, benchmarks): the Fashion-MNIST data set (IDX files in /usr/share/datasets/fashion-mnist).
# --for test (the default; everything): also redis-server and prometheus (the tests start their own on free ports),
# python3-numpy (the checkpoint tests) and docker-compose (to check docker-compose.yml; no container engine is needed).
# The .NET SDK is expected on PATH (see global.json for the version).
set -euo pipefail

purpose=test
while [ $# -gt 0 ]; do
  case "$1" in
    --for) purpose=${2:-}; shift 2 || { echo "install-deps.sh: --for needs train or test" >&2; exit 2; } ;;
    *) echo "install-deps.sh: unknown option $1 (use --for train|test)" >&2; exit 2 ;;
  esac
done
case "$purpose" in
  train|test) ;;
  *) echo "install-deps.sh: --for $purpose: use train or test" >&2; exit 2 ;;
esac

need=()
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
if [ "$purpose" = test ]; then
  # The tests start a real Redis for the multi-machine clustering path.
  [ -x /usr/bin/redis-server ] || need+=(redis-server)
  # The dashboard tests run a real Prometheus; the compose test checks docker-compose.yml with docker-compose.
  [ -x /usr/bin/prometheus ] || need+=(prometheus)
  # The checkpoint tests read and write .npz files with numpy, as a user moving weights to PyTorch or JAX would.
  /usr/bin/python3 -c "import numpy" >/dev/null 2>&1 || need+=(python3-numpy)
  command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
fi

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Pcn needs the Debian package(s) to $purpose: ${need[*]}. Install them with: sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "Installing ${need[*]} ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "Pcn needs the .NET SDK 10 (dotnet on PATH); see https://dot.net" >&2
  exit 1
fi
