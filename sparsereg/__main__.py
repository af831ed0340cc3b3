"""``python -m sparsereg``: the ``sparsereg`` command."""

import sys

from .cli import main

sys.exit(main())
