"""What ecpos's commands and HTTP faces share, outside the core: a command's configuration from the global
options and its JSON output (options.py), a PIN from the environment or a no-echo prompt (pins.py), and the
listening socket of the agent and the fleet page (listen.py). The faces (ecpos/, agent/, ui/) and fleet/'s
command use it; it imports terminal/ only, and terminal/ never imports it (setup.cfg contracts)."""
