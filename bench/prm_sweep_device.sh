#!/bin/bash
# Ten PRM training variants side by side on one GPU (bench/PRM_SWEEP.md has what they gave).
# Needs torch and transformers there; pydantic travels as wheels in .whl (see the device notes).
# Each variant's per-cycle scores land in $OUT/<name>.jsonl as they come, and in $OUT/all.jsonl.
set -u
source bench/device_env.sh
OUT=${OUT:-runs/prm_sweep}
mkdir -p "$OUT"
B='[[2000,1.5e-3],[2000,5e-4]]'
variant() {
  timeout "${LIMIT:-500}" python3 bench/prm_sweep.py "$1" --device cuda --out "$OUT" --config "$2" >"/tmp/$1.log" 2>&1 &
}
variant base "{\"cycles\": $B, \"slips\": \"uniform\"}"
variant base_s1 "{\"cycles\": $B, \"slips\": \"uniform\", \"seed\": 1}"
variant lead "{\"cycles\": $B}"
variant lead_s1 "{\"cycles\": $B, \"seed\": 1}"
variant lead3 "{\"cycles\": [[2000,1.5e-3],[2000,5e-4],[2000,5e-4]]}"
variant lead_long "{\"cycles\": [[6000,1e-3]]}"
variant lead_33 "{\"cycles\": [[3000,1.5e-3],[3000,5e-4]]}"
variant lead_x4 "{\"cycles\": $B, \"extra\": 4}"
variant lead_pf75 "{\"cycles\": $B, \"pf\": 0.75}"
variant lead_bs128 "{\"cycles\": $B, \"bs\": 128}"
wait
for f in /tmp/*.log; do echo "$f $(grep -o '[0-9.]*step/s' "$f" | tail -1)"; done
cat "$OUT"/*.jsonl >/tmp/all.jsonl && mv /tmp/all.jsonl "$OUT/all.jsonl"
