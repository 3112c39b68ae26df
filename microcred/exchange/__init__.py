"""A provider's catalog as a JSON document ("microcred.catalog/1"): import and export.

It sits above the catalog and assessment, because a document carries micro-credentials with their
lessons and the quizzes of those lessons; it writes only through their services.
"""
