"""The Japanese font the PDFs are set in: IPAexGothic, shipped inside `japanize-matplotlib`.

It is a declared dependency, so every machine that ran `make run` has it, whatever fonts the
system has. The module is located without being imported (importing it imports matplotlib).
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

PACKAGE = "japanize_matplotlib"
FONT_FILE = Path("fonts") / "ipaexg.ttf"
#: the family name the PDF stylesheet declares with @font-face (and the font's own name)
FAMILY = "IPAexGothic"


class FontMissing(RuntimeError):
    """The font file is not where the package ships it: PDFs would fall back to system fonts."""


def font_path() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FontMissing(f"the {PACKAGE} package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / FONT_FILE
    if not path.is_file():
        raise FontMissing(f"{path} does not exist")
    return path


@cache
def font_bytes() -> bytes:
    """The TTF, read once per process (about 6 MB)."""
    return font_path().read_bytes()
