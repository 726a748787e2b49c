"""shopexit: leave TikTok Shop cleanly, with every record kept in an encrypted vault."""

__version__ = "0.1.0"
APP_NAME = "shopexit"
