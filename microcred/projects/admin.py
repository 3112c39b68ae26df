"""Projects admin: look, don't touch. Assignments are edited in the workspace's lesson editor, and
submissions, grades and regrade decisions are written only by the services (they are audited and
report outcomes to learning), so every model here is read-only."""

from __future__ import annotations

from django.contrib import admin

from microcred.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Assignment, Grade, MentorSignoff, PeerReview, RegradeRequest, Submission, SubmissionFile


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("lesson", "review_mode", "passing_score", "due_at")
    list_select_related = ("lesson",)
    search_fields = ("lesson__title",)


class SubmissionFileInline(ReadOnlyInline):
    model = SubmissionFile
    fields = ("name", "size")
    show_change_link = False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("id", "assignment", "user", "version", "status", "submitted_at", "is_late")
    list_filter = ("status", "is_late")
    list_select_related = ("assignment__lesson", "user")
    search_fields = ("user__email", "assignment__lesson__title")
    exclude = ("text",)  # learners' work is read by graders on the grading page, not browsed here
    inlines = [SubmissionFileInline]


@admin.register(Grade)
class GradeAdmin(ReadOnlyAdmin):
    list_display = ("submission", "source", "grader", "score", "passed", "graded_at")
    list_select_related = ("submission", "grader")


@admin.register(RegradeRequest)
class RegradeRequestAdmin(ReadOnlyAdmin):
    list_display = ("submission", "status", "requested_at", "decided_by", "decided_at")
    list_filter = ("status",)
    list_select_related = ("submission", "decided_by")


@admin.register(PeerReview)
class PeerReviewAdmin(ReadOnlyAdmin):
    list_display = ("submission", "reviewer", "status", "score", "assigned_at", "submitted_at")
    list_filter = ("status",)
    list_select_related = ("submission", "reviewer")
    search_fields = ("reviewer__email",)


@admin.register(MentorSignoff)
class MentorSignoffAdmin(ReadOnlyAdmin):
    list_display = ("submission", "name", "email", "status", "sent_at", "expires_at", "decided_at")
    list_filter = ("status",)
    list_select_related = ("submission",)
    search_fields = ("email", "name")
    exclude = ("token_hash",)
