#!/bin/bash
# Does the PRM gain from more of the generator's own samples? PRM variants trained side by side
# on one GPU on the first 2000 / 4000 / 8000 sampled train problems (16 chains each), all with the
# recipe's schedule, scored on 400 validation-split problems (16 samples each, plus greedy), and
# the ORMs that would go with them. Inputs (made on the CPU with vLLM, carried in runs/dev):
# samples8000.jsonl.gz, val_samples.jsonl, val_greedy.json. Results: bench/PRM_SWEEP.md.
set -u
if [ -d .whl ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=${PYTHONPATH:-}:$PWD PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1
OUT=${OUT:-runs/prm_data}
mkdir -p "$OUT" /tmp/models
gunzip -kf runs/dev/samples8000.jsonl.gz
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
variant() {  # NAME PROBLEMS KIND [CONFIG]
  local cfg="${4:-}"
  [ -n "$cfg" ] || cfg='{}'
  timeout "${LIMIT:-520}" python3 bench/prm_sweep.py "$1" --device cuda --out /tmp/models --kind "$3" \
    --samples runs/dev/samples8000.jsonl --problems "$2" --held runs/dev/val_samples.jsonl \
    --greedy runs/dev/val_greedy.json --config "$cfg" >"/tmp/$1.log" 2>&1 &
}
if [ "${1:-data}" = seeds ]; then  # the recipe's run-to-run spread: seeds 1 and 2 on 2000 problems
  for seed in 1 2; do variant "prm2000_s$seed" 2000 prm "{\"seed\": $seed}"; done
  wait
else
  variant prm2000 2000 prm
  variant prm4000 4000 prm
  variant prm8000 8000 prm
  variant orm4000 4000 orm
  variant orm8000 8000 orm
  wait
fi
for f in /tmp/*.log; do echo "$f $(grep -o '[0-9.]*step/s' "$f" | tail -1) $(grep -E 'Error|error' "$f" | tail -1)"; done
cat /tmp/models/*.jsonl | tee "$OUT/all.jsonl"
# At most 8 files come back, 16 MiB each: the models (5 MB each) travel as tarballs of two.
cd /tmp/models || exit
if [ "${1:-data}" = seeds ]; then
  tar czf "$OUT/models_s.tgz" prm2000_s1 prm2000_s2 prm2000_s1.train1.json prm2000_s2.train1.json
  ls -la "$OUT"; exit
fi
tar czf "$OUT/models_a.tgz" prm2000 prm4000 prm2000.train1.json prm4000.train1.json
tar czf "$OUT/models_b.tgz" prm8000 orm8000 prm8000.train1.json orm8000.train1.json
tar czf "$OUT/models_c.tgz" orm4000 orm4000.train1.json
cd - >/dev/null
ls -la "$OUT"
