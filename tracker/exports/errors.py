"""What can go wrong when building a packet, each with a message a user can act on."""


class ExportError(ValueError):
    """Base class: the message is shown to the user as is."""


class SelectionError(ExportError):
    """The selection names something that does not exist (a topic, a watchlist, a stance, a bill)."""


class NoSuchBill(SelectionError):
    """A bill reference matches no stored bill: nothing found (exit 4, as `tracker bills show`), not a typo in a
    name from a known list."""


class EmptyPacketError(ExportError):
    """The selection resolved to no bills: nothing is written rather than an empty file."""


class BrandingError(ExportError):
    """The ``[branding]`` settings cannot be used (unknown key, bad colour, unreadable logo...)."""
