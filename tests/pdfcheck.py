"""Looking inside real PDFs with poppler's tools, as a person would."""

import subprocess
import tempfile


def _path(pdf):
    if isinstance(pdf, (bytes, bytearray)):
        f = tempfile.NamedTemporaryFile(suffix=".pdf", delete=False)
        f.write(pdf)
        f.close()
        return f.name
    return str(pdf)


def fonts(pdf):
    """[(font name, embedded: bool)] as pdffonts lists them."""
    out = subprocess.run(["pdffonts", _path(pdf)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name … emb sub uni objectID gen: "emb" is the fifth field from the end.
        rows.append((parts[0], parts[-5] == "yes"))
    return rows


def has_embedded_cjk_font(pdf) -> bool:
    return any("CJK" in name and embedded for name, embedded in fonts(pdf))


def text(pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", _path(pdf), "-"], capture_output=True, text=True, check=True).stdout


def page_count(pdf) -> int:
    out = subprocess.run(["pdfinfo", _path(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


