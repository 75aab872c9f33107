"""The terminal agent: a local HTTP API (FastAPI on loopback) a HIS or ERP drives to settle its own bills.

An outward face like ui/: it imports terminal/ and drivers/, never the other way, and holds no business
rule; every step is the core's (terminal.counter today). `ecpos agent` serves it headless; `ecpos app`
can serve it too ([agent] enabled_in_app).
"""
