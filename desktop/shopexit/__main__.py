"""`python -m shopexit` behaves exactly like the `shopexit` command."""

import sys

from shopexit.cli import main

sys.exit(main())
