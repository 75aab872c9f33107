"""The back office, around and after the sales: the journal opened to read or keep it (books), the operators kept
(operators: adding them, the PIN policy, roles, sign-in), the pharmacy's price list imported into the catalogue
(pricelist), shifts and their cash (shifts), reports and reconciliation with the platform (reports), sync, which
resolves what the journal left open (unknown outcomes, queued refunds, abandoned sales), and the till's self-checks:
a code through the configured credential adapter before it sells (selfcheck), and that no other till shares its
msgid node (msgid_nodes)."""
