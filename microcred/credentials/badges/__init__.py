"""Baked badge images of credentials (issue 11 §4, ADR 0044): ``artwork`` draws the default badge
from plain data (SVG, and PNG through Pillow with the bundled fonts); ``content`` picks the
artwork of a micro-credential, refuses a credential that does not hold, and bakes the signed
credential in by the OB 3.0 rules (``vc/baking.py``)."""
