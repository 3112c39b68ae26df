"""The catalog's pages: the public ones (``public``, with the page-shaped reads in ``reads``) and
a provider's workspace catalog (``workspace``: micro-credentials; ``content``: modules, lessons)."""
