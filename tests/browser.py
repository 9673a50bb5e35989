"""Debian's Chromium for the browser tests: where it is, how it starts, where screenshots go.

Never a downloaded browser: Playwright drives /usr/bin/chromium (apt-get install chromium,
as .ci/run does). The flags keep it from reaching out to the network at start-up.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("HTZ_TEST_ARTIFACTS", "test-artifacts"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MARKS = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
