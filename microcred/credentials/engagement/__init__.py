"""Engagement, counted respectfully (issue 11 §7, ADR 0047): how often each credential's page was
viewed, the credential verified, its PDF certificate or badge downloaded and it added to LinkedIn.

Daily counters per credential and kind (``models.CredentialEngagement``), and nothing else: no
address, user agent, cookie, account or referrer is stored. ``rules`` says what counts,
``services`` adds one to a counter (one UPDATE on the hot path), ``selectors`` reads the figures
the holder's page, the issuer's page and the API show, and ``views`` holds the LinkedIn redirect
that counts an "Add to profile" and the issuer's page.
"""
