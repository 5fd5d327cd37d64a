"""How the benchmarks start reviewlens: the way an installed copy runs for a user.

* The console script next to this Python (as pip/pipx users run it), not a version
  manager's shim found on PATH first (pyenv's is a bash script that execs pyenv, ~60 ms
  a run that is not reviewlens' own time).
* Compiled bytecode, as a pip install has: with PYTHONDONTWRITEBYTECODE set and a
  source tree under edit, every run would recompile the changed modules (~0.1 s). The
  .pyc files go to a scratch PYTHONPYCACHEPREFIX; the working tree is not touched. The
  parse-only floor runs with the same environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ENV = dict(os.environ)


def reviewlens_exe() -> str:
    local = Path(sys.executable).parent / "reviewlens"
    return str(local) if local.is_file() else (shutil.which("reviewlens") or "reviewlens")


def use_compiled_bytecode(scratch: Path) -> dict[str, str]:
    """Compile reviewlens' modules into `scratch` and point ENV at them; returns ENV."""
    ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    ENV["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    import reviewlens.analyzers
    import reviewlens.server

    folders = [*reviewlens.analyzers.__path__, *reviewlens.server.__path__]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *folders], env=ENV, check=True,
                   capture_output=True)
    return ENV
