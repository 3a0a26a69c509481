"""The production settings as the benchmarks run them (benchmarks/scale.py, load.py).

Three changes, each for the measurement and none to what a request does:
- BENCHMARK_PAGE_CACHE=off replaces the page cache ("pages") by Django's dummy cache.
  PAGE_CACHE_SECONDS=0 alone is not "uncached": the cache middleware still keeps the
  answers that set their own max-age (the API's, 300 s).
- BENCHMARK_STATIC_ROOT: where collectstatic writes and WhiteNoise reads, so a run
  keeps its files (and the yardstick files of the sizes of the pages) in its own
  throw-away folder rather than in the working copy's staticfiles/.
- BENCHMARK_NOW (ISO 8601 moment): the clock starts there and ticks on, as
  time-machine moves it (a server process has no test to freeze its time), so that
  the pages are measured during their edition, with «Зараз/Далі» to show.
"""

import datetime
import os
from pathlib import Path

from cms.settings.production import *  # noqa: F403
from cms.settings.production import CACHES, STATIC_ROOT

if os.environ.get("BENCHMARK_PAGE_CACHE") == "off":
    CACHES = {**CACHES, "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

STATIC_ROOT = Path(os.environ.get("BENCHMARK_STATIC_ROOT") or STATIC_ROOT)

if os.environ.get("BENCHMARK_NOW"):
    import time_machine

    time_machine.travel(datetime.datetime.fromisoformat(os.environ["BENCHMARK_NOW"])).start()
