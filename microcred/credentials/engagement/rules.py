"""What counts as a view: decided from the request's method, its user agent and whether the
viewer is the holder, never stored (ADR 0047). Plain functions, no Django."""

from __future__ import annotations

from typing import Final

# Crawlers and link previewers announce themselves; these words cover the common ones
# (Googlebot, bingbot, LinkedInBot, Twitterbot, Slackbot-LinkExpanding, Applebot, AhrefsBot…,
# "…Crawler", "…Spider", "… Preview"). Two frequent previewers say none of them.
BOT_WORDS: Final = ("bot", "crawler", "spider", "preview", "facebookexternalhit", "slurp")


def is_bot(user_agent: str) -> bool:
    """An obvious robot, by its own User-Agent. A missing User-Agent is not taken for one."""
    agent = user_agent.lower()
    return any(word in agent for word in BOT_WORDS)


def counts_as_view(*, method: str, status_code: int, user_agent: str, viewer_is_holder: bool) -> bool:
    """A person other than the holder got the page: a GET answered in full (a HEAD, or a 304 to
    a conditional request, is a check that the page did not change), by no obvious robot."""
    return method == "GET" and status_code == 200 and not viewer_is_holder and not is_bot(user_agent)


def counts_as_download(*, method: str, status_code: int, user_agent: str) -> bool:
    """A download by anyone, the holder included (downloading the certificate or the badge is how
    a holder takes it somewhere else), unless a robot fetched it."""
    return method == "GET" and status_code == 200 and not is_bot(user_agent)
