"""Talking to the insurance platform: its HTTP client (platform) with the envelope and 国密 (envelope, gm), a
gateway's extra signature (signing), the provincial variants (channels), msgids (msgid), what a request carries
and what an answer means (messages, answers), journal-first calls (wire) and whether the platform answers now (heartbeat)."""
