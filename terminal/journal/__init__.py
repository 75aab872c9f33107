"""The till's one SQLite file and what keeps it honest: the journal itself (schema, migrations, connections,
queries), opening it safely (journal_guard), the append-only audit log and the keyed chain with its key files
(audit, chain, tillkeys), the clock that stamps rows, owner-only files (privacy), what of a platform message
may be journaled (redact), change capture for the fleet (replication), the operators with their PINs
(their table is part of the journal's schema), and the bills other programs pushed to the agent with their
Idempotency-Keys (pushed)."""
