"""One sale's rules, step by step with the platform: the flow of each profile (flows, workflow,
workflow_pharmacy, workflow_clinic), identifying the patient (session), settling journal-first (settling),
self-pay, refunds, the one store that writes sales, refunds and the outbox (sales), the bill and what it is
made of (items, records, catalogue, lots), 追溯码 per box and their reports (trace,
trace_store, trace_report), drugs sold against the buyer's ID (drug_register), tenders with a bill's discount
(tender, adjust), bills parked and recalled (holds), the cash drawer's rules (drawer), what the patient sees
(facing) and the receipt."""
