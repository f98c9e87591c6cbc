"""Run by `python -m bench statements --monopoly-python PY`: monopoly's generic parser over the PDFs named
on the command line, in that interpreter (monopoly-core is a benchmark-only install). Prints JSON."""

import json
import sys
import time
from pathlib import Path

from monopoly.generic import GenericBank
from monopoly.pdf import PdfDocument, PdfParser
from monopoly.pipeline import Pipeline

results = []
started = time.perf_counter()
for name in sys.argv[1:]:
    try:
        pipeline = Pipeline(PdfParser(GenericBank, PdfDocument(file_path=Path(name))))
        statement = pipeline.extract(safety_check=False)
        rows = [[t.date, t.description, str(t.amount)] for t in pipeline.transform(statement)]
        results.append({"rows": rows})
    except Exception as error:
        results.append({"error": f"{type(error).__name__}: {error}", "rows": []})
print(json.dumps({"seconds": time.perf_counter() - started, "files": results}))
