"""Install sizes with and without the [charts] extra, and the constraints file.

    python benchmarks/install_size.py                 # sizes of two fresh installs
    python benchmarks/install_size.py --constraints   # print constraints.txt (exact pins)

Builds two virtual environments in a temporary folder and installs this repository's runtime
dependencies into them (from the package index), with and without [charts]."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def site_packages(env: Path) -> Path:
    return next((env / "lib").glob("python3*/site-packages"))


def size_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def install(env: Path, spec: str) -> dict[str, str]:
    venv.create(env, with_pip=True)
    py = env / "bin" / "python"
    subprocess.run([py, "-m", "pip", "install", "-q", spec], check=True)
    frozen = subprocess.run(
        [py, "-m", "pip", "freeze", "--exclude", "micromentor"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(line.split("==", 1) for line in frozen.splitlines() if "==" in line)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = install(Path(tmp) / "runtime", str(REPO))
        charts = install(Path(tmp) / "charts", f"{REPO}[charts]")
        if "--constraints" in sys.argv:
            print("# Exact versions for production installs (the ones the tests ran with):")
            print(
                "#   pip install micromentor -c constraints.txt        (add [charts] for the chart)"
            )
            print("# Runtime dependencies and the [charts] extra only; regenerate with")
            print("#   python benchmarks/install_size.py --constraints > constraints.txt")
            for name in sorted({**base, **charts}, key=str.lower):
                print(f"{name}=={charts.get(name) or base[name]}")
            return
        plain = size_mb(site_packages(Path(tmp) / "runtime"))
        full = size_mb(site_packages(Path(tmp) / "charts"))
        print(f"runtime install:           {plain:6.0f} MB, {len(base)} packages")
        print(f"with [charts] (matplotlib): {full:6.0f} MB, {len(charts)} packages")
        print(f"the chart costs:           {full - plain:6.0f} MB")


if __name__ == "__main__":
    main()
