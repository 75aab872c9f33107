"""Fleet: every till's journal replicated to one PostgreSQL, institution-wide reports over it, and a read-only
page for the medical-insurance office. Depends inward on terminal/; terminal/ never imports it."""
