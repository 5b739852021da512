"""How the adapters word the core's reasons: one text per kind of reason, with the options a user sets
spelled as the user's program spells them (``Wording``; the dynamic adapter's ``PYTHON``, the native ``SCHEMA``)."""

from .words import Wording

__all__ = ["Wording"]
