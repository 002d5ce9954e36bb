"""The bundled app's entry point (PyInstaller's script): the same as `python -m debtordesk`."""

import sys

from debtordesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
