"""Qt only: windows, dialogs, models and workers. It asks the core and shows; it never writes SQL."""
