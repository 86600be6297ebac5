"""The benchmark suite's orchestration: servers, peer environments, sampling, report."""

import sys
from pathlib import Path

# The loopback servers (tests/servers.py) come with the source checkout, not the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
