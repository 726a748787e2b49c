"""In the app: a step page shown again comes from the vault's facts cache, a change made on a page shows at once,
and locking leaves no remembered facts behind."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable

from shopexit.core import step_facts
from shopexit.core.vault import Vault
from tests.gui.conftest import TIMEOUT, App
from tests.helpers.records import add_order


def _seed(vault: Vault) -> None:
    add_order(vault, "1", status="Awaiting shipment", amount=1500, created_at="2026-12-05T10:00:00Z",
              lines=[("Mug", 1, 1500)])


def _caches(app: App) -> list[step_facts.FactsCache]:
    """The open vault's facts cache, asked for on the vault's own thread."""
    with app.qtbot.waitCallback(timeout=TIMEOUT) as done:
        app.ctx.vaults.submit(lambda vault, _p: step_facts.cache_of(vault), on_done=done)
    cache = done.args[0]
    return [cache] if cache is not None and cache.values else []


def test_revisits_come_from_the_cache_and_locking_drops_it(app_on: Callable[..., App]) -> None:
    app = app_on(_seed)
    app.unlock()
    two = app.page(2)
    assert two.data is not None and two.data.facts.open_count == 1
    app.wait_idle()
    [cache] = _caches(app)
    app.page(7)
    misses = cache.misses
    app.page(2)  # shown again, nothing changed: no figure is read twice
    app.wait_idle()
    assert cache.misses == misses and cache.hits > 0

    with app.qtbot.waitSignal(two.loaded, timeout=TIMEOUT):
        two.mark_done()  # a change made on the page is on screen straight after
    assert two.data.state.status == "done" and two.done_button.isHidden()
    app.qtbot.waitUntil(lambda: app.main.overview is not None and app.main.overview.steps[1].status == "done",
                        timeout=TIMEOUT)

    with app.qtbot.waitSignal(app.controller.locked, timeout=TIMEOUT):
        app.main.lock_requested.emit()
    gone = weakref.ref(cache)
    del two, cache

    def dropped() -> bool:
        gc.collect()
        return gone() is None

    app.qtbot.waitUntil(dropped, timeout=TIMEOUT)
