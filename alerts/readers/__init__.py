"""One reader per JMA telegram type, keyed by the exact `Control/Title`.

A reader turns a telegram into one `Reading`: what it means for Chuo City. Titles not in
`REGISTRY` are logged "not handled" and never guessed at (a new JMA type needs a reader
and real sample telegrams before it can reach residents).
"""

from __future__ import annotations

from . import earthquake, rain, river, tsunami, weather  # noqa: F401,E402  (they register)
from .base import REGISTRY, Header, Reading, header, read  # noqa: F401
