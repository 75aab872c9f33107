"""The back office, around and after the sales: shifts and their cash (shifts), reports and reconciliation with
the platform (reports), and sync, which resolves what the journal left open (unknown outcomes, queued refunds,
abandoned sales)."""
