# The page fixtures (tests/pages.py) for this directory's tests.
from tests.pages import catalog, learner, learner_client  # noqa: F401
from tests.web.browser import browser_context  # noqa: F401 (a fixture for the browser tests)
