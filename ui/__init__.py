"""PySide6 user interface: the cashier app for the three profiles, dialogs, translations."""
