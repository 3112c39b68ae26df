# The page fixtures (tests/pages.py) for this directory's tests.
from tests.pages import catalog, learner, learner_client  # noqa: F401
