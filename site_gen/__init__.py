"""site-gen: a static-site generator for persona-driven content hubs."""

__version__ = "0.1.0"
