"""DebtorDesk: debtor management for small businesses."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("debtordesk")
except PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.0.0+local"

APP_NAME = "DebtorDesk"
