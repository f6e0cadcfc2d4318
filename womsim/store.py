"""The documented path ``womsim.store``: an alias of :mod:`womsim.app.store`.

The module itself lives in its layer (docs/architecture.md); this file keeps the import path that
users and notebooks already rely on working, as the very same module object.
"""

import sys

from womsim.app import store as _module

sys.modules[__name__] = _module
