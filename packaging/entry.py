"""The script PyInstaller freezes: the frozen `shopexit` executable is exactly the `shopexit` command."""

import sys

from shopexit.cli import main

if __name__ == "__main__":
    sys.exit(main())
