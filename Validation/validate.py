#!/usr/bin/env python3
"""Runs every cross-check in Validation/ (validate_*.py) with this interpreter and reports.

`make validate` runs it in Validation/.venv (pyhf 0.7.6, numpy<2, scipy), with the release
`zptoys` first on PATH. Exits non-zero if any check fails.
"""
import pathlib
import subprocess
import sys
import time

here = pathlib.Path(__file__).resolve().parent
scripts = sorted(p for p in here.glob("validate_*.py"))
failed = []
for script in scripts:
    print(f"=== {script.name}", flush=True)
    t0 = time.time()
    rc = subprocess.call([sys.executable, str(script)], cwd=here.parent)
    print(f"=== {script.name}: {'ok' if rc == 0 else f'FAILED (exit {rc})'} in {time.time() - t0:.1f} s", flush=True)
    if rc != 0:
        failed.append(script.name)
print(f"validate: {len(scripts) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
