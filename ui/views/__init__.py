"""Pages of the app: one per job (sale per profile, journal, day close, statistics, settings)."""
