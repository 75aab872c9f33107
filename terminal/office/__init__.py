"""The back office, around and after the sales: shifts and their cash (shifts), reports and reconciliation with
the platform (reports), sync, which resolves what the journal left open (unknown outcomes, queued refunds,
abandoned sales), and the till's self-check that no other till shares its msgid node (msgid_nodes)."""
