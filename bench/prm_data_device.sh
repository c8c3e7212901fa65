#!/bin/bash
# Does the PRM gain from more of the generator's own samples? PRM variants trained side by side
# on one GPU on the first 2000 / 4000 / 8000 sampled train problems (16 chains each), all with the
# 6000-step schedule the recipe had then ($C6: pinned, since the recipe has moved on), scored on
# 400 validation-split problems (16 samples each, plus greedy), and the ORMs that would go with
# them; `seeds` instead runs seeds 1 and 2 on 2000 problems (the recipe's run-to-run spread);
# `length` runs 10000 steps (seeds 0-2) against 8000 (seeds 1-2; seed 0 is the shipped CPU run)
# on the recipe's 2000 problems. Inputs (made on the CPU with vLLM, carried in runs/dev):
# samples8000.jsonl.gz, val_samples.jsonl, val_greedy.json. Results: bench/PRM_SWEEP.md.
set -u
source bench/device_env.sh
OUT=$(realpath -m "${OUT:-runs/prm_data}")  # absolute: pack() writes from /tmp/models
mkdir -p "$OUT" /tmp/models
gunzip -kf runs/dev/samples8000.jsonl.gz
variant() {  # NAME PROBLEMS KIND CONFIG
  timeout "${LIMIT:-520}" python3 bench/prm_sweep.py "$1" --device cuda --out /tmp/models --kind "$3" \
    --samples runs/dev/samples8000.jsonl --problems "$2" --held runs/dev/val_samples.jsonl \
    --greedy runs/dev/val_greedy.json --config "$4" >"/tmp/$1.log" 2>&1 &
}
C6='"cycles": [[6000, 1e-3]]'
pack() {  # TARBALL NAME...: models with their losses; at most 8 files of 16 MiB come back, a model is 5 MB
  local tarball=$1; shift
  (cd /tmp/models && tar czf "$OUT/$tarball" "$@" "${@/%/.train1.json}")
}
if [ "${1:-data}" = length ]; then
  for seed in 0 1 2; do variant "prm10k_s$seed" 2000 prm "{\"seed\": $seed, \"cycles\": [[10000, 1e-3]]}"; done
  for seed in 1 2; do variant "prm8k_s$seed" 2000 prm "{\"seed\": $seed, \"cycles\": [[8000, 1e-3]]}"; done
  wait
  pack models_l1.tgz prm10k_s0 prm10k_s1
  pack models_l2.tgz prm10k_s2 prm8k_s1
  pack models_l3.tgz prm8k_s2
elif [ "${1:-data}" = seeds ]; then
  for seed in 1 2; do variant "prm2000_s$seed" 2000 prm "{\"seed\": $seed, $C6}"; done
  wait
  pack models_s.tgz prm2000_s1 prm2000_s2
else
  variant prm2000 2000 prm "{$C6}"
  variant prm4000 4000 prm "{$C6}"
  variant prm8000 8000 prm "{$C6}"
  variant orm4000 4000 orm "{$C6}"
  variant orm8000 8000 orm "{$C6}"
  wait
  pack models_a.tgz prm2000 prm4000
  pack models_b.tgz prm8000 orm8000
  pack models_c.tgz orm4000
fi
for f in /tmp/*.log; do echo "$f $(grep -o '[0-9.]*step/s' "$f" | tail -1) $(grep -E 'Error|error' "$f" | tail -1)"; done
cat /tmp/models/*.jsonl | tee "$OUT/all.jsonl"
ls -la "$OUT"
