"""What each app adds to a lower app's pages: every built-in page part, in one list.

A lower app defines the type of part its page accepts and never imports the app that writes it
(``microcred/web/parts.py``, ADR 0023); this list is where the two meet, as ``config/events.py``
is for events. ``settings.MICROCRED_PAGE_PARTS`` names it first, then any an installation adds.
"""

from __future__ import annotations

from microcred.assessment.pages import QUIZ_LESSON_EDITOR, QUIZ_LESSON_PANEL
from microcred.careers.pages import GOAL_FIT, GOAL_FIT_CARDS, GOAL_RELEVANCE
from microcred.exchange.pages import CATALOG_FILE_PANEL
from microcred.learning.pages import VISITOR_ENROLMENT
from microcred.projects.pages import ASSIGNMENT_LESSON_EDITOR, ASSIGNMENT_LESSON_PANEL
from microcred.web.parts import HeaderPart

PAGE_PARTS: tuple[object, ...] = (
    # Every page's header: the micro-credentials picked for comparison (catalog).
    HeaderPart(template="catalog/_compare_tray.html"),
    # A micro-credential's page opens its lessons to an enrolled visitor (learning).
    VISITOR_ENROLMENT,
    # ... and tells a learner with a career goal what it does for that goal (careers, ADR 0037).
    GOAL_FIT,
    # ... and, right after enrolling, says kindly when it closes none of the goal's gaps (careers).
    GOAL_RELEVANCE,
    # The catalog's result cards say which ones close gaps of the learner's goal (careers).
    GOAL_FIT_CARDS,
    # A quiz lesson: the learner's attempts on learning's lesson page, and its questions and
    # settings in catalog's lesson editor (assessment).
    QUIZ_LESSON_PANEL,
    QUIZ_LESSON_EDITOR,
    # An assignment lesson: the learner's submissions and grades on learning's lesson page, and its
    # rubric and rules in catalog's lesson editor (projects).
    ASSIGNMENT_LESSON_PANEL,
    ASSIGNMENT_LESSON_EDITOR,
    # A provider's workspace catalog: import and export a catalog file (exchange).
    CATALOG_FILE_PANEL,
)
