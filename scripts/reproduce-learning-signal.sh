#!/usr/bin/env bash
# Which layers of a deep PC network learn? Fashion-MNIST, N = 128, B = 64, ReLU, T = H, 1 epoch unless capped:
#   1. the learning signal (relative weight change from initialisation, per layer) of µPC, standard PC and BP with
#      Depth-µP at each depth;
#   2. µPC and BP at the deepest depth with only the top K weight matrices trained (--train-layers top:K), against all;
#   3. plain µPC nets whose every layer trains, with as many weight matrices as each K (H = K − 1).
# Each run's results.json holds its learning signal; the figures come from `pcn plot --learning`, and a table of every
# run (accuracy, loss, which layers learned) is printed at the end and written to OUT/learning.csv.
#   bash scripts/reproduce-learning-signal.sh [--depths 8,32,128] [--tops 1,4,12,32] [--seeds 0] [--deep-batches N]
#        [--backend cpu|cuda] [--out sweeps/learning] [-- more pcn train options]
# --deep-batches N caps at N batches (a full epoch is 937) the runs a slow machine cannot afford a full epoch of: the
# deepest depth's standard-PC run and µPC freezes, and the plain µPC nets with them, so that freezes and plain nets
# compare at the same number of batches. The deepest µPC run with every layer trained still trains the full epoch (it
# is evaluated every 300 batches: compare the capped runs with its accuracy at batch N = 300), and backprop always
# does. The table says how many batches each run had.
set -euo pipefail
cd "$(dirname "$0")/.."
depths=8,32,128 tops=1,4,12,32 seeds=0 deep_batches="" backend=() out=sweeps/learning more=()
while [ $# -gt 0 ]; do
  case "$1" in
    --depths) depths=$2; shift 2 ;;
    --tops) tops=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --deep-batches) deep_batches=$2; shift 2 ;;
    --backend) backend=(--backend "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --) shift; more=("$@"); break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
bash scripts/install-deps.sh --for train
dotnet build src/Client -c Release --nologo -v quiet
pcn=(dotnet src/Client/bin/Release/net10.0/pcn.dll)
runs="$out/runs"
mkdir -p "$runs" "$out/plots"
IFS=, read -r -a depth_list <<< "$depths"
IFS=, read -r -a top_list <<< "$tops"
IFS=, read -r -a seed_list <<< "$seeds"
deepest=${depth_list[-1]}

# run ID DEPTH CAPPED ARGS...: one run (CAPPED: yes when --deep-batches applies), skipped when it already ended.
run() {
  local id=$1 depth=$2 capped=$3; shift 3
  local results="$runs/$id/results.json"
  if [ -f "$results" ] && python3 -c "import json,sys; sys.exit(json.load(open('$results'))['state'] == 'running')"; then
    echo "  done     $id"; return
  fi
  local cap=()
  if [ -n "$deep_batches" ] && [ "$capped" = yes ]; then cap=(--batch-limit "$deep_batches" --test-every $(( deep_batches / 2 > 0 ? deep_batches / 2 : 1 ))); fi
  echo "  training $id"
  # A method that fails at depth (standard PC, say) is a result too: its run ends failed or diverged, and goes on the table.
  "${pcn[@]}" train --run-id "$id" --runs-dir "$runs" --depth "$depth" --width 128 --activation relu --epochs 1 \
    --early-stop 0 "${cap[@]}" "${backend[@]}" --quiet "${more[@]}" "$@" > "$runs/$id.log" 2>&1 || true
}

for seed in "${seed_list[@]}"; do
  for h in "${depth_list[@]}"; do
    deep=no; [ "$h" = "$deepest" ] && deep=yes
    run "mupc-H$h-s$seed" "$h" no --param mupc --seed "$seed"
    # Standard PC with the paper's best (η, β) for ReLU at each depth (as scripts/reproduce-depth.sh).
    case "$h" in 8) sp=(--lr 0.01 --beta 0.1) ;; 16|32) sp=(--lr 0.01 --beta 0.01) ;; *) sp=(--lr 0.1 --beta 0.01) ;; esac
    run "sp-H$h-s$seed" "$h" "$deep" --param sp "${sp[@]}" --seed "$seed"
    run "bp-H$h-s$seed" "$h" no --algorithm bp --seed "$seed"
  done
  for k in "${top_list[@]}"; do
    run "mupc-H$deepest-top$k-s$seed" "$deepest" yes --param mupc --train-layers "top:$k" --seed "$seed"
    run "bp-H$deepest-top$k-s$seed" "$deepest" no --algorithm bp --train-layers "top:$k" --seed "$seed"
    # The plain net with as many weight matrices as K (H = K − 1 hidden layers; K = 1 has none to compare with).
    if [ "$k" -ge 2 ]; then run "plain-mupc-H$((k - 1))-s$seed" "$((k - 1))" yes --param mupc --seed "$seed"; fi
  done
done

# Figures: the learning signal per method at every depth, and the deepest depth's freezes.
for method in mupc sp bp; do
  files=(); for h in "${depth_list[@]}"; do files+=("$runs/$method-H$h-s${seed_list[0]}/results.json"); done
  args=(); for f in "${files[@]}"; do [ -f "$f" ] && args+=(--learning "$f"); done
  if [ ${#args[@]} -gt 0 ]; then
    "${pcn[@]}" plot "${args[@]}" --out "$out/plots/$method" > /dev/null && mv "$out/plots/$method/learning-signal.png" "$out/plots/learning-$method.png" && rmdir "$out/plots/$method"
  fi
done
args=(); for k in "${top_list[@]}" all; do
  f="$runs/mupc-H$deepest-top$k-s${seed_list[0]}/results.json"; [ "$k" = all ] && f="$runs/mupc-H$deepest-s${seed_list[0]}/results.json"
  [ -f "$f" ] && args+=(--learning "$f")
done
if [ ${#args[@]} -gt 0 ]; then
  "${pcn[@]}" plot "${args[@]}" --out "$out/plots/freeze" > /dev/null && mv "$out/plots/freeze/learning-signal.png" "$out/plots/learning-mupc-H$deepest-freezes.png" && rmdir "$out/plots/freeze"
fi

python3 - "$runs" "$out/learning.csv" <<'PY'
import csv, glob, json, os, sys
runs, table = sys.argv[1], sys.argv[2]
rows = []
for path in sorted(glob.glob(os.path.join(runs, '*', 'results.json'))):
    r = json.load(open(path))
    n, t = r['configuration']['network'], r['configuration']['training']
    learning = r.get('learning') or [{}]
    acc = r.get('finalTestAccuracy')
    losses = [b['trainLoss'] for b in r['batches'][-50:]]
    rows.append({
        'run': r['runId'], 'method': 'bp' if t['algorithm'] == 'bp' else n['parameterisation'], 'depth': n['depth'],
        'lr': t['learningRate'], 'beta': t['inferenceRate'] if t['algorithm'] == 'pc' else '',
        'trained': f"top:{t['trainTopLayers']}" if t.get('trainTopLayers') else 'all', 'seed': n['seed'], 'state': r['state'],
        'batches': r['timings']['batches'], 'test_accuracy': '' if acc is None else f'{acc:.2f}',
        'train_loss_last50': f'{sum(losses) / len(losses):.5f}' if losses else '',
        'learned': learning[-1].get('summary', ''),
    })
with open(table, 'w', newline='') as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()) if rows else ['run'])
    w.writeheader(); w.writerows(rows)
for row in rows:
    print(f"{row['run']:24} {row['state']:9} {row['batches']:>4} batches  acc {row['test_accuracy']:>6}  loss {row['train_loss_last50']:>8}  {row['learned']}")
PY
echo "table: $out/learning.csv; figures: $out/plots/learning-*.png"
