"""The browser libraries the set-up installs from npm (`make vendor` -> endpoint/vendor/).

A test that needs them calls `require(folder, package)`: without them it is skipped with the
reason, and in CI (CI=true) it fails, as the set-up always installs them there.
"""

from pathlib import Path

from liveservers import unavailable


def require(folder: Path, package: str) -> None:
    if folder.is_dir() and any(folder.iterdir()):
        return
    message = f"{package} is not installed in {folder}: run `make vendor` (needs npm)"
    unavailable(message)
