#!/usr/bin/env bash
# The GPU checks, as one short script for the lent GPU machine (see benchmarks/README.md):
# the whole test suite with CUDA visible (CUDA-only tests and the conformance checks' CUDA
# branch run), then kneighbors on the GPU against scikit-learn on that machine's CPU.
# Expects imbalanced-learn's wheels in .whl/ (the machine has no package registry).
set -uo pipefail
OUT=${OUT:-/tmp/gpu-check}
mkdir -p "$OUT"
if compgen -G ".whl/*.whl" >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH="src:${PYTHONPATH:-}" PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 -c "import torch, sklearn; print('torch', torch.__version__, 'sklearn', sklearn.__version__, 'cuda', torch.cuda.is_available())" | tee -a "$OUT/gpu.txt"
timeout 240 python3 -m pytest -q -p no:cacheprovider -n 8 -rs 2>&1 | tee "$OUT/pytest.log" | tail -25
timeout 150 python3 benchmarks/bench_neighbors.py --device cuda --n 100000 --repeats 3 \
  --output "$OUT/neighbors_gpu_100k.md" 2>&1 | tail -12
timeout 60 python3 benchmarks/bench_neighbors.py --device cuda --n 1000000 --k 3 --repeats 2 \
  --no-sklearn --output "$OUT/neighbors_gpu_1m.md" 2>&1 | tail -8
timeout 300 python3 benchmarks/gpu.py --output "$OUT/gpu.md" 2>&1 | tail -14
