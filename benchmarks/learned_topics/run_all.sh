#!/bin/sh
# Re-run the study: dump (repository venv), cross-validation on tuning, one report on the holdouts.
# Usage, from anywhere:  EXPVENV_PYTHON=/tmp/expvenv/bin/python benchmarks/learned_topics/run_all.sh [WORK_DIR]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=${1:-$HERE/.work}
: "${EXPVENV_PYTHON:?set EXPVENV_PYTHON to the throwaway venv python (see README.md)}"
REPO_PYTHON=${REPO_PYTHON:-$REPO/.venv/bin/python}

PYTHONPATH="$REPO" "$REPO_PYTHON" "$HERE/dump.py" --work-dir "$WORK"   # tuning.json, unseen.json, skills.json
"$EXPVENV_PYTHON" "$HERE/study.py" cv --work-dir "$WORK"               # tuning only -> chosen.json
"$EXPVENV_PYTHON" "$HERE/study.py" report --work-dir "$WORK"           # the holdouts, once
