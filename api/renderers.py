"""CSV for the public endpoints (open data): a flat table of the list's rows, formula-safe."""

import csv
import io

from rest_framework.renderers import BaseRenderer

from pojian.domain.xlsx import FORMULA_STARTS


def neutralise(text):
    """A cell a spreadsheet would read as a formula gets a leading quote, as OWASP advises for CSV."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data.get("results", data) if isinstance(data, dict) else data
        if isinstance(rows, dict):
            rows = [rows]
        rows = [r for r in rows or [] if isinstance(r, dict)]
        out = io.StringIO()
        out.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese correctly only with a BOM
        if rows:
            columns = list(dict.fromkeys(k for r in rows for k in r))
            writer = csv.writer(out)
            writer.writerow(columns)
            for r in rows:
                writer.writerow([neutralise(_flat(r.get(c))) for c in columns])
        return out.getvalue().encode("utf-8")


def _flat(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "；".join(_flat(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_flat(v)}" for k, v in value.items())
    return str(value)
