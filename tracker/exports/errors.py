"""What can go wrong when building a packet, each with a message a user can act on."""


class ExportError(ValueError):
    """Base class: the message is shown to the user as is."""


class SelectionError(ExportError):
    """The selection names something that does not exist (a topic, a watchlist, a stance, a bill)."""


class EmptyPacketError(ExportError):
    """The selection resolved to no bills: nothing is written rather than an empty file."""


class BrandingError(ExportError):
    """The ``[branding]`` settings cannot be used (unknown key, bad colour, unreadable logo...)."""
