"""The package's version, read by the build (hatch), the plugin package and the release notes."""

__version__ = "0.1.0"
