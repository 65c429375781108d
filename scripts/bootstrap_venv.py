"""Create .venv with pip, even where Debian's python3 lacks ensurepip (no python3-venv package).

Standard library only. Falls back to fetching pip's wheel from PyPI, the one registry we rely on anyway.
"""

import json
import subprocess
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path

VENV = Path(sys.argv[1] if len(sys.argv) > 1 else ".venv")


def main() -> int:
    python = VENV / "bin" / "python"
    if python.exists() and subprocess.call([python, "-m", "pip", "--version"], stdout=subprocess.DEVNULL) == 0:
        return 0
    try:
        venv.create(VENV, with_pip=True, clear=True)
        return 0
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"venv with ensurepip failed ({exc}); installing pip from PyPI instead", file=sys.stderr)
    venv.create(VENV, with_pip=False, clear=True)
    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60) as resp:
        release = json.load(resp)
    wheel = next(f for f in release["urls"] if f["filename"].endswith(".whl"))
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / wheel["filename"]
        with urllib.request.urlopen(wheel["url"], timeout=120) as resp:
            target.write_bytes(resp.read())
        # A pip wheel can run itself: python pip.whl/pip install pip.whl
        return subprocess.call([python, f"{target}/pip", "install", "--quiet", str(target)])


if __name__ == "__main__":
    sys.exit(main())
