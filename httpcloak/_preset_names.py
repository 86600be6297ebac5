"""Preset names as constants, as the other bindings offer them:
``httpcloak.Session(preset=httpcloak.Preset.FIREFOX_LATEST)``.

The built-in presets of this engine; ``available_presets()`` is the live list (it also has
the JSON presets registered at run time)."""

from __future__ import annotations

from typing import Final


class Preset:
    """The built-in presets; the *_LATEST names follow the newest one shipped."""

    CHROME_LATEST: Final = "chrome-latest"
    CHROME_151: Final = "chrome-151"
    CHROME_133: Final = "chrome-133"
    CHROME_131: Final = "chrome-131"
    CHROME_124: Final = "chrome-124"
    FIREFOX_LATEST: Final = "firefox-latest"
    FIREFOX_148: Final = "firefox-148"
    FIREFOX_135: Final = "firefox-135"
    FIREFOX_133: Final = "firefox-133"
    SAFARI_LATEST: Final = "safari-latest"
    SAFARI_16: Final = "safari-16"
    SAFARI_IOS_18: Final = "safari-ios-18"

    @classmethod
    def all(cls) -> list[str]:
        """Every constant's value, newest browsers first."""
        return [value for name, value in vars(cls).items() if name.isupper()]
