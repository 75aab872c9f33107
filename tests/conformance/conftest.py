from tests.simulator.conftest import cfg, pc, shared_sim  # noqa: F401  (module-scoped service and client)
