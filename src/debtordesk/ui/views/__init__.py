"""One widget per screen of the main window."""
