"""The sale as an explicit state machine per profile, independent of Qt and of the network.

    pharmacy: identified -> quoted (2101) -> settling (2102) -> settled | unknown | failed
    clinic / kiosk: identified -> registered (2201) -> uploaded (2203, 2204) -> quoted (2206)
                    -> settling (2207) -> settled | unknown | failed;  registered/uploaded/quoted
                    -> cancelled (2205 undoes uploaded fees, 2202 the registration)
A step that is not allowed from the current state raises WorkflowError, so a quote cannot be settled twice
and a settled sale cannot be cancelled. One sale's walk is a `Steps` (its Quote's / Visit's `.steps`); the
profile's rules are terminal/sale/flows.py `Flow`; the stages and which may follow which are
terminal/states.py `Stage`, `STEPS_OF`.
"""
from __future__ import annotations

from terminal.errors import EcposError
from terminal.states import STEPS_OF, Stage

class WorkflowError(EcposError):
    """A step out of order (settling twice, cancelling a settled sale)."""

    key = "workflow_order"
    exit_code = 2


class Steps:
    """One sale's progress through its profile's machine; `history` lists the states passed."""

    def __init__(self, profile: str, state: Stage = Stage.IDENTIFIED):
        if profile not in STEPS_OF:
            raise WorkflowError(f"未知业务类型：{profile}", key="workflow_profile")
        self.profile = profile
        self.state = state
        self.history = [state]

    def can(self, to: Stage) -> bool:
        return to in STEPS_OF[self.profile].get(self.state, set())

    def advance(self, to: Stage) -> None:
        """Move to `to` or raise WorkflowError naming both states."""
        if not self.can(to):
            raise WorkflowError(f"当前状态 {self.state.value} 不能进行 {to.value}，请重新扫码开始",
                                key="workflow_order", detail=f"{self.profile}: {self.state.value} -> {to.value}")
        self.state = to
        self.history.append(to)

    @property
    def done(self) -> bool:
        return self.state in (Stage.SETTLED, Stage.UNKNOWN, Stage.FAILED, Stage.CANCELLED)
