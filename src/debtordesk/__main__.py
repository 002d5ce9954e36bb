"""`python -m debtordesk` is the same as the `debtordesk` command."""

import sys

from debtordesk.cli import main

sys.exit(main())
