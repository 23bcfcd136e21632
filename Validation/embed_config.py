#!/usr/bin/env python3
"""Regenerates the files embedded in the tool: Sources/Experiment/EmbeddedConfiguration.swift from
toys/belle2-2019-2020.yaml, and Sources/Generator/RootInputScript.swift from toys/root_input.py
(the ROOT converter zptoys runs)."""
import pathlib
root = pathlib.Path(__file__).resolve().parent.parent
y = (root / "toys/belle2-2019-2020.yaml").read_text()
assert '"""#' not in y
(root / "Sources/Experiment/EmbeddedConfiguration.swift").write_text(
    "// Generated from toys/belle2-2019-2020.yaml by `make embed-config`; a test keeps them identical.\n"
    "// Edit the YAML file, then run `make embed-config`.\n"
    "enum EmbeddedConfiguration {\n  static let belle2_2019_2020 = #\"\"\"\n" + y + "\n\"\"\"#\n}\n")
print("wrote Sources/Experiment/EmbeddedConfiguration.swift")

script = (root / "toys/root_input.py").read_text()
assert '"""#' not in script
(root / "Sources/Generator/RootInputScript.swift").write_text(
    "// Generated from toys/root_input.py by `make embed-config`; a test keeps them identical.\n"
    "// Edit the Python file, then run `make embed-config`.\n"
    "enum RootInputScript {\n  static let text = #\"\"\"\n" + script + "\n\"\"\"#\n}\n")
print("wrote Sources/Generator/RootInputScript.swift")
