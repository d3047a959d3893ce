"""QR codes for printed pages: segno encodes, the template draws the SVG.

The code is reduced to data (the module count and one SVG path of the dark modules), so
no markup is built here; ``macros.html`` wraps it in ``<svg>``.
"""

from __future__ import annotations

from dataclasses import dataclass

# The quiet zone the QR standard asks for, in modules.
QUIET_ZONE = 4


@dataclass(frozen=True)
class QrCode:
    url: str
    # Width and height in modules, quiet zone included (the SVG viewBox).
    size: int
    # SVG path data: one rectangle per horizontal run of dark modules.
    path: str


def qr_code(url: str) -> QrCode:
    # Imported here: only a portal with a site_url prints codes, and a rebuild renders few pages.
    import segno

    # Level M survives a crease or a smudge on a paper notice; micro codes many phones cannot read.
    code = segno.make(url, error="m", micro=False)
    rows = [list(row) for row in code.matrix_iter(scale=1, border=QUIET_ZONE)]
    return QrCode(url=url, size=len(rows), path=" ".join(_row_runs(rows)))


def _row_runs(rows: list[list[int]]) -> list[str]:
    runs: list[str] = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return runs
