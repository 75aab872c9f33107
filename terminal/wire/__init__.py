"""Talking to the insurance platform: its HTTP client (platform) with the envelope and 国密 (envelope, gm), a
gateway's extra signature (signing), the provincial variants (channels), msgids and the check that no other
till shares this one's node (msgid, msgid_nodes), what a request carries and what an answer means (messages,
answers), journal-first calls (wire) and whether the platform answers now (heartbeat)."""
