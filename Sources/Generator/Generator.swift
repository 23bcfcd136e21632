// \(m) stage: see docs in this folder.
