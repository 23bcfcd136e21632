#!/usr/bin/env python3
"""The HEPData output of `zptoys brazil --hepdata` is accepted by hepdata-validator (PyPI).

Runs a small Brazil study with observed limits (a background-only pseudo-data set), writes the
HEPData data file and a submission.yaml beside it, and validates both with hepdata_validator's
DataFileValidator and SubmissionFileValidator. Exits non-zero on any error.
"""
import os
import pathlib
import subprocess
import sys
import tempfile

from hepdata_validator.data_file_validator import DataFileValidator
from hepdata_validator.submission_file_validator import SubmissionFileValidator

root = pathlib.Path(__file__).resolve().parent.parent
zptoys = os.environ.get("ZPTOYS", str(root / ".build/release/zptoys"))
with tempfile.TemporaryDirectory() as d:
    d = pathlib.Path(d)
    subprocess.run([zptoys, "brazil", "--masses", "100-110", "--toys", "20", "--belt-toys", "200", "--data", "toy", "--no-progress",
                    "--mc-background-events", "100000", "--mc-signal-events", "10000",
                    "--out", str(d / "b.json"), "--hepdata", str(d / "limits.yaml")], check=True, stdout=subprocess.DEVNULL)
    (d / "submission.yaml").write_text(
        "---\ncomment: 'ZPrimeToys validation'\n---\nname: 'Cross-section limits'\n"
        "description: 'Test table'\nkeywords:\n- {name: cmenergies, values: [10.58]}\ndata_file: limits.yaml\n")
    failures = 0
    v = DataFileValidator()
    if v.validate(file_path=str(d / "limits.yaml")):
        print("limits.yaml: valid HEPData data file")
    else:
        v.print_errors(str(d / "limits.yaml"))
        failures += 1
    s = SubmissionFileValidator()
    if s.validate(file_path=str(d / "submission.yaml")):
        print("submission.yaml: valid HEPData submission")
    else:
        s.print_errors(str(d / "submission.yaml"))
        failures += 1
print(f"validate_hepdata: {2 - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
