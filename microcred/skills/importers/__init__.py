"""Taxonomy files, read without Django: each format yields ``records`` (see ``records.py``), which
``microcred.skills.services.taxonomy_import`` writes. Nothing here imports Django or any other
part of Microcred (an import contract), so the parsers run and are tested on their own."""
