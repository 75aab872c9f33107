"""The demo's embedded reference service: simulator.process.SimProcess, failing with a message that says
where to look."""
from __future__ import annotations

from simulator.process import SimProcess as _SimProcess, SimStartError
from terminal.errors import EcposError


class SimProcess(_SimProcess):
    def start(self) -> "SimProcess":
        try:
            return super().start()
        except SimStartError as e:
            raise EcposError(f"内置医保平台模拟服务未能启动，请查看日志 {self.log}", key="demo_sim_start",
                             detail=str(e).splitlines()[0]) from None
