

__version__ = "0.1.0"  # setup.cfg reads it; `ecpos --version` prints it
