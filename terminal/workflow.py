"""The sale as an explicit state machine per profile, independent of Qt and of the network.

    pharmacy: identified -> quoted (2101) -> settling (2102) -> settled | unknown | failed
    clinic / kiosk: identified -> registered (2201) -> uploaded (2203, 2204) -> quoted (2206)
                    -> settling (2207) -> settled | unknown | failed;  registered/uploaded/quoted
                    -> cancelled (2205 undoes uploaded fees, 2202 the registration)
A step that is not allowed from the current state raises WorkflowError, so a quote cannot be settled twice
and a settled sale cannot be cancelled. One sale's walk is a `Steps` (its Quote's / Visit's `.flow`); the
profile's rules are terminal/flows.py `Flow`.
"""
from __future__ import annotations

from enum import Enum

from terminal.errors import EcposError
from terminal.states import SaleState


class State(str, Enum):
    IDENTIFIED = "identified"
    REGISTERED = "registered"
    UPLOADED = "uploaded"
    QUOTED = "quoted"
    SETTLING = "settling"
    # the in-memory steps that end a sale carry the journal's word for it (terminal/states.py)
    SETTLED = SaleState.SETTLED.value
    UNKNOWN = SaleState.UNKNOWN.value
    FAILED = SaleState.FAILED.value
    CANCELLED = SaleState.CANCELLED.value


S = State
PHARMACY = {
    S.IDENTIFIED: {S.QUOTED, S.CANCELLED},
    S.QUOTED: {S.QUOTED, S.SETTLING, S.CANCELLED},  # re-quote after changing the bill
    S.SETTLING: {S.SETTLED, S.UNKNOWN, S.FAILED},
}
CLINIC = {
    S.IDENTIFIED: {S.REGISTERED, S.CANCELLED},
    S.REGISTERED: {S.UPLOADED, S.CANCELLED},
    S.UPLOADED: {S.QUOTED, S.CANCELLED},
    S.QUOTED: {S.SETTLING, S.CANCELLED},
    S.SETTLING: {S.SETTLED, S.UNKNOWN, S.FAILED},
}
FLOWS = {"pharmacy": PHARMACY, "clinic": CLINIC, "kiosk": CLINIC}


class WorkflowError(EcposError):
    """A step out of order (settling twice, cancelling a settled sale)."""

    key = "workflow_order"
    exit_code = 2


class Steps:
    """One sale's progress through its profile's machine; `history` lists the states passed."""

    def __init__(self, profile: str, state: State = State.IDENTIFIED):
        if profile not in FLOWS:
            raise WorkflowError(f"未知业务类型：{profile}", key="workflow_profile")
        self.profile = profile
        self.state = state
        self.history = [state]

    def can(self, to: State) -> bool:
        return to in FLOWS[self.profile].get(self.state, set())

    def advance(self, to: State) -> None:
        """Move to `to` or raise WorkflowError naming both states."""
        if not self.can(to):
            raise WorkflowError(f"当前状态 {self.state.value} 不能进行 {to.value}，请重新扫码开始",
                                key="workflow_order", detail=f"{self.profile}: {self.state.value} -> {to.value}")
        self.state = to
        self.history.append(to)

    @property
    def done(self) -> bool:
        return self.state in (S.SETTLED, S.UNKNOWN, S.FAILED, S.CANCELLED)
