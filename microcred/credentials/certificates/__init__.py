"""PDF certificates of credentials (issue 11 §3, ADR 0043): ``layout`` draws one page from plain
data with fpdf2 and bundled fonts, and attaches the signed credential; ``content`` reads what it
says from the models, for one viewer, and refuses a credential that does not hold."""
