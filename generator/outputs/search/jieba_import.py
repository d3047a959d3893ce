"""jieba, imported without pkg_resources.

jieba uses pkg_resources for one thing: to open the dictionary it ships with. When
pkg_resources cannot be imported it opens the same file next to its own module instead.
Importing pkg_resources scans every installed distribution, 0.1-0.2 s in every build's
search process: more than a rebuild after a body edit spends on the edited record's terms.
"""

from __future__ import annotations

import sys

_BLOCKED = "pkg_resources" not in sys.modules
if _BLOCKED:
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # an import of it fails
try:
    import jieba
finally:
    if _BLOCKED:
        del sys.modules["pkg_resources"]

__all__ = ["jieba"]
