"""Create .venv with pip, even where Debian's python3 lacks ensurepip (no python3-venv package).

Standard library only. Falls back to fetching pip's wheel from PyPI, the one registry we rely on anyway.
"""

import importlib.util
import json
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import venv
from pathlib import Path

VENV = Path(sys.argv[1] if len(sys.argv) > 1 else ".venv")


def main() -> int:
    python = VENV / "bin" / "python"
    if python.exists() and subprocess.call([python, "-m", "pip", "--version"], stdout=subprocess.DEVNULL) == 0:
        return 0
    if importlib.util.find_spec("ensurepip") is None:
        # Debian's python3 without python3-venv: its venv module prints "apt install python3.11-venv" and calls
        # sys.exit(1) rather than raising, which ended `make` right there.
        print("no ensurepip (Debian's python3-venv is not installed); installing pip from PyPI instead",
              file=sys.stderr)
    else:
        try:
            venv.create(VENV, with_pip=True, clear=True)
            return 0
        except (subprocess.CalledProcessError, OSError, SystemExit) as exc:
            print(f"venv with ensurepip failed ({exc!r}); installing pip from PyPI instead", file=sys.stderr)
    venv.create(VENV, with_pip=False, clear=True)
    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60) as resp:
        release = json.load(resp)
        base = resp.geturl()
    wheel = next(f for f in release["urls"] if f["filename"].endswith(".whl"))
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / wheel["filename"]
        # PyPI gives absolute file URLs; a mirror or caching proxy in front of it may give relative ones
        with urllib.request.urlopen(urllib.parse.urljoin(base, wheel["url"]), timeout=120) as resp:
            target.write_bytes(resp.read())
        # A pip wheel can run itself: python pip.whl/pip install pip.whl
        return subprocess.call([python, f"{target}/pip", "install", "--quiet", str(target)])


if __name__ == "__main__":
    sys.exit(main())
