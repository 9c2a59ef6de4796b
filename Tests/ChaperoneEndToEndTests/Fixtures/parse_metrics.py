"""Parses Prometheus text from stdin with prometheus-client's own parser (PyPI), so the
format is checked by code that is not Chaperone's. Prints one JSON object per sample:
{"name", "labels", "value"}, and exits 1 with the parser's message if the text is invalid."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

text = sys.stdin.read()
try:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            print(json.dumps({"family": family.name, "type": family.type, "name": sample.name,
                              "labels": sample.labels, "value": sample.value}))
except Exception as error:  # the parser raises ValueError and others for bad input
    print(f"invalid exposition: {error}", file=sys.stderr)
    sys.exit(1)
