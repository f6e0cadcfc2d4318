"""The documented path ``womsim.plots``: an alias of :mod:`womsim.views.plots`.

The module itself lives in its layer (docs/architecture.md); this file keeps the import path that
users and notebooks already rely on working, as the very same module object.
"""

import sys

from womsim.views import plots as _module

sys.modules[__name__] = _module
