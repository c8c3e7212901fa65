# Sourced by the bench/*_device.sh scripts: the GPU machine has torch and transformers, and the
# rest (pydantic, math-verify and what they need) travels as wheels in .whl (see the device notes).
# One thread per process, since the scripts run several training processes side by side.
if [ -d .whl ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=${PYTHONPATH:-}:$PWD PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
