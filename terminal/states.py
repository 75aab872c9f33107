"""The one word on a sale's and a refund's state: the journal's statuses, which may follow which, and what a
face may ask of a sale in each; where one sale's script stands (`Stage`: the platform's steps and the work in
flight a screen shows), and what became of one request (`RequestState`). str enums, so the journal's stored text (and `ecpos journal --json`) is the
same word it always was: `SaleState.SETTLED == "settled"`.

    from terminal.states import SaleState, allowed_steps
    SaleState.PENDING.can_become(SaleState.SETTLED)      # True: what SaleStore.move checks inside the SQL
    allowed_steps(SaleState.SETTLED)                      # {"refund"}: the buttons a screen shows

Nothing else spells a state's name: the store binds these as SQL parameters, the screens and the agent map
them to their own words (the agent's API state below is one such word set, kept here so the mapping is one).
"""
from __future__ import annotations

from enum import StrEnum


class SaleState(StrEnum):
    """A sale's status in the journal (`sales.status`)."""

    PENDING = "pending"              # open, quoted or registered, not yet paid
    UNKNOWN = "unknown"              # a settlement may have reached the platform: sync resolves it, never resend
    SETTLED = "settled"
    REFUND_QUEUED = "refund_queued"
    REFUNDED = "refunded"
    REVERSED = "reversed"            # sync's 2601 undid an unknown settlement
    FAILED = "failed"                # the platform refused, or a dead process left it open (note abandoned)
    CANCELLED = "cancelled"          # let go before paying (nothing happened)
    SELF_PAID = "self_paid"          # paid in full by the patient, nothing went to the platform

    def can_become(self, to: "SaleState") -> bool:
        return to in SALE_TRANSITIONS[self]


class RefundState(StrEnum):
    """A refund's status in the journal (`refunds.status`)."""

    QUEUED = "queued"                # waiting for sync to send its 2103/2208
    UNKNOWN = "unknown"              # sent, no readable answer: sync reverses it (queued again) or finds it done
    REFUNDED = "refunded"
    FAILED = "failed"                # the platform refused it: the sale is settled again

    def can_become(self, to: "RefundState") -> bool:
        return to in REFUND_TRANSITIONS[self]


class ReturnState(StrEnum):
    """Where a return of some lines or boxes (退一盒, terminal/returns.py) stands: a 医保 sale's whole settlement
    reversed, then its kept lines settled again for the same person, then the difference handed back."""

    REVERSING = "reversing"          # the whole settlement's refund queued or sent
    NEEDS_CODE = "needs_code"        # reversed: the patient's code is needed to settle the kept lines
    SETTLING = "settling"            # the kept lines' settlement sent, its answer not known yet
    HANDBACK = "handback"            # settled again: the difference still to hand back
    DONE = "done"
    FAILED = "failed"                # the platform refused the reversal: the sale stands, nothing handed back


class RequestState(StrEnum):
    """What became of one request to the platform (terminal/wire/wire.py Outcome.state, the journal's
    requests.state). Only a refusal, or never reaching it, means nothing happened."""

    OK = "ok"
    REFUSED = "refused"              # the platform's own refusal (infcode -1 with its reason)
    UNREACHABLE = "unreachable"      # it never got there
    UNKNOWN = "unknown"              # it may have been processed: never resent, sync resolves it


class ReturnState(StrEnum):
    """Where a return (退一盒, terminal/returns.py) stands, read from its refund and its new sale (never stored)."""

    NEEDS_CODE = "needs_code"        # the kept lines wait for the patient's code again
    REVERSING = "reversing"          # the whole settlement's refund is on its way (sync forwards it)
    SETTLING = "settling"            # the kept lines' new sale is on its way
    HANDBACK = "handback"            # the difference is still to be handed back
    DONE = "done"
    FAILED = "failed"


S, R = SaleState, RefundState
# Which status may follow which. A status may always be written again with other fields (a note, the visit
# undone), never turned into another one not listed here.
SALE_TRANSITIONS: dict[SaleState, frozenset[SaleState]] = {
    S.PENDING: frozenset({S.UNKNOWN, S.SETTLED, S.FAILED, S.CANCELLED, S.SELF_PAID}),
    S.UNKNOWN: frozenset({S.REVERSED, S.SETTLED}),          # sync: 2601 reversed it, or 5203 found it
    S.SETTLED: frozenset({S.REFUND_QUEUED}),
    S.REFUND_QUEUED: frozenset({S.REFUNDED, S.SETTLED}),    # the platform refunded it, or refused to
    S.REFUNDED: frozenset(),
    S.REVERSED: frozenset(),
    S.FAILED: frozenset({S.CANCELLED}),                     # a clinic visit undone after a failed settle
    S.CANCELLED: frozenset(),
    S.SELF_PAID: frozenset({S.REFUNDED}),
}
REFUND_TRANSITIONS: dict[RefundState, frozenset[RefundState]] = {
    R.QUEUED: frozenset({R.UNKNOWN, R.REFUNDED, R.FAILED}),
    R.UNKNOWN: frozenset({R.QUEUED, R.REFUNDED}),           # reversed (queued again), or found done
    R.REFUNDED: frozenset(),
    R.FAILED: frozenset(),
}

# What a face may ask of a sale in each status (the core refuses anything else with SaleStateError).
_STEPS: dict[SaleState, frozenset[str]] = {
    S.PENDING: frozenset({"quote", "confirm", "cancel"}),
    S.SETTLED: frozenset({"refund"}),
    S.SELF_PAID: frozenset({"refund"}),
    S.UNKNOWN: frozenset({"sync"}),
    S.REFUND_QUEUED: frozenset({"sync"}),
}

# The note of a settled sale whose cash part (psn_cash_pay) nobody took: the platform paid its part, the
# patient was sent to the window with the slip (a kiosk has no cash drawer). The sale stays open for the
# counter to collect it (sales.SaleStore.collect), which clears the note and books the tender to its shift.
CASH_DUE = "cash_due_at_window"

# Sales that happened (money moved): the day's reports and a shift's count; SELF_PAID has no insurance part.
STOOD = (S.SETTLED, S.REFUND_QUEUED, S.REFUNDED)
HAPPENED = (*STOOD, S.SELF_PAID)
GONE = (S.FAILED, S.REVERSED, S.CANCELLED)        # sales that never settled: their trace codes are void
OPEN_REFUND = (R.QUEUED, R.UNKNOWN, R.REFUNDED)   # a refund that stands or may still stand (not refused)


def allowed_steps(status: str) -> frozenset[str]:
    """The steps a sale in `status` allows: quote/confirm/cancel while pending, refund once settled (or self
    paid), sync while its outcome is unknown or a refund waits; nothing once it is closed."""
    try:
        return _STEPS.get(SaleState(status), frozenset())
    except ValueError:
        return frozenset()


def sources(to: SaleState) -> list[SaleState]:
    """The statuses a sale may be in to be moved to `to` (itself included: a status may be written again)."""
    return [s for s, nxt in SALE_TRANSITIONS.items() if to in nxt or s == to]


def refund_sources(to: RefundState) -> list[RefundState]:
    return [s for s, nxt in REFUND_TRANSITIONS.items() if to in nxt or s == to]


class Stage(StrEnum):
    """Where one sale's script stands (terminal/checkout.py `Checkout.stage`): the steps the platform walks
    (a Quote's / Visit's `steps`, terminal/sale/workflow.py), the work in flight between them that a screen shows
    (identifying, quoting, ...), and the journal's word once it ends."""

    WAITING = "waiting"              # nobody identified yet
    IDENTIFYING = "identifying"      # in flight: classify, verify, 1101
    IDENTIFIED = "identified"        # the patient is known: the bill is being made
    REGISTERING = "registering"      # in flight: 2201
    REGISTERED = "registered"        # clinic / kiosk: the visit is open, its fees go on the bill
    UPLOADED = "uploaded"            # clinic / kiosk: the fees are with the platform (2203 + 2204)
    QUOTING = "quoting"              # in flight: 2101 | 2203 + 2204 + 2206
    QUOTED = "quoted"                # the split is shown: confirm, change the bill, or let it go
    SETTLING = "settling"            # in flight: 2102 | 2207 (or a self-paid sale journaled)
    CANCELLING = "cancelling"        # in flight: the quote dropped, the visit undone (2205 + 2202)
    # the stages that end a sale are the journal's word for it
    SETTLED = SaleState.SETTLED.value
    SELF_PAID = SaleState.SELF_PAID.value
    UNKNOWN = SaleState.UNKNOWN.value
    FAILED = SaleState.FAILED.value
    CANCELLED = SaleState.CANCELLED.value


G = Stage
BUSY = frozenset({G.IDENTIFYING, G.REGISTERING, G.QUOTING, G.SETTLING, G.CANCELLING})  # a step is under way
DONE = frozenset({G.SETTLED, G.SELF_PAID})  # money moved: the receipt may be printed again
# The stage each step passes through while it runs (Checkout.begin announces it at once).
IN_FLIGHT: dict[str, Stage] = {"identify": G.IDENTIFYING, "register": G.REGISTERING, "quote": G.QUOTING,
                                "confirm": G.SETTLING, "self_pay": G.SETTLING, "cancel": G.CANCELLING}
# What a sale's script allows next in each stage (Checkout.allowed_next; a pharmacy never registers, a
# clinic quotes a visit only). Nothing while a step is under way.
STAGE_STEPS: dict[Stage, frozenset[str]] = {
    G.WAITING: frozenset({"identify", "self_pay"}),
    G.IDENTIFIED: frozenset({"identify", "register", "quote", "self_pay", "cancel"}),
    G.REGISTERED: frozenset({"quote", "cancel"}),
    G.QUOTED: frozenset({"identify", "quote", "revise", "confirm", "cancel"}),
    G.SETTLED: frozenset({"reprint", "refund"}),
    G.SELF_PAID: frozenset({"reprint", "refund"}),
    G.UNKNOWN: frozenset({"sync"}),
}
# One sale's walk at the platform, per profile: which stage may follow which (terminal/sale/workflow.py Steps).
PHARMACY_STEPS: dict[Stage, frozenset[Stage]] = {
    G.IDENTIFIED: frozenset({G.QUOTED, G.CANCELLED}),
    G.QUOTED: frozenset({G.QUOTED, G.SETTLING, G.CANCELLED}),  # re-quote after changing the bill
    G.SETTLING: frozenset({G.SETTLED, G.UNKNOWN, G.FAILED}),
}
CLINIC_STEPS: dict[Stage, frozenset[Stage]] = {
    G.IDENTIFIED: frozenset({G.REGISTERED, G.CANCELLED}),
    G.REGISTERED: frozenset({G.UPLOADED, G.CANCELLED}),
    G.UPLOADED: frozenset({G.QUOTED, G.CANCELLED}),
    G.QUOTED: frozenset({G.SETTLING, G.CANCELLED}),
    G.SETTLING: frozenset({G.SETTLED, G.UNKNOWN, G.FAILED}),
    G.FAILED: frozenset({G.CANCELLED}),  # nothing was paid: the visit is still undone (2205 + 2202)
}
STEPS_OF = {"pharmacy": PHARMACY_STEPS, "clinic": CLINIC_STEPS, "kiosk": CLINIC_STEPS}


class DeskState(StrEnum):
    """The agent's word for a pushed bill's state (its HTTP API, agent/schemas.py)."""

    WAITING_FOR_CODE = "waiting_for_code"
    QUOTED = "quoted"
    SETTLING = "settling"
    SETTLED = "settled"
    UNKNOWN = "unknown"
    FAILED = "failed"
    CANCELLED = "cancelled"


# The agent's state of a bill whose sale the journal holds in a closed status (sync or another face moved it).
DESK_FROM_SALE: dict[SaleState, DeskState] = {
    S.SETTLED: DeskState.SETTLED, S.REFUND_QUEUED: DeskState.SETTLED, S.REFUNDED: DeskState.SETTLED,
    S.UNKNOWN: DeskState.UNKNOWN, S.CANCELLED: DeskState.CANCELLED, S.REVERSED: DeskState.FAILED,
}


def desk_state(desk: str, sale: str | None, settling: bool = False) -> DeskState:
    """The agent's state of a pushed bill: the journal's word once the platform has its sale (`sale`, the
    sale's status; None before), else the agent's own row's (`desk`: waiting for its code, quoted); SETTLING
    while this process is sending its settlement. A sale that failed is failed, unless the agent had given it
    up already (cancelled) or keeps it waiting for another code (a refused code)."""
    if settling:
        return DeskState.SETTLING
    if sale is not None:
        if sale in DESK_FROM_SALE:
            return DESK_FROM_SALE[SaleState(sale)]
        if sale == S.FAILED and desk not in (DeskState.CANCELLED, DeskState.WAITING_FOR_CODE):
            return DeskState.FAILED
    return DeskState(desk)


def sql_list(states) -> str:
    """`states` as an SQL list literal, for an `IN` inside a query that cannot bind them (a sub-select)."""
    return "(" + ",".join(f"'{s.value}'" for s in states) + ")"
