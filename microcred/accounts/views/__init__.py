"""The accounts pages: signing up and in (``auth``), one's own settings (``account``), the list of
one's organisations (``orgs``) and an organisation's members (``members``)."""
