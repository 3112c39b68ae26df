"""Forms of the catalog's pages: the public catalog search, and a provider's workspace (a
micro-credential, its modules and lessons). They parse and label input only; services do the
writing and the domain checks (slug uniqueness, publish rules)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from microcred.accounts.models import Organisation
from microcred.skills.models import Level
from microcred.web.forms import language_name
from microcred.web.widgets import PlainSelect

from .fields import MICROCREDENTIAL_GROUPS
from .models import (
    AssessmentType,
    LessonKind,
    MicroCredential,
    ParticipationForm,
    Programme,
    Supervision,
)
from .parts import LessonEditor, lesson_editor
from .selectors import (
    SORTS,
    CatalogFilters,
    microcredential_builds_on,
    prerequisite_choices,
    provider_offers_for_programmes,
)

SORT_CHOICES = [
    ("relevance", "Best match"),
    ("newest", "Newest"),
    ("title", "Title (A–Z)"),
    ("price", "Price (low to high)"),
    ("workload", "Workload (short first)"),
]
assert {value for value, _ in SORT_CHOICES} == {"relevance", *SORTS}


class CatalogFilterForm(forms.Form):
    """The catalog's query string. Choice lists come from what is published, so every option finds something."""

    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search skills, topics, providers…"}),
    )
    industry = forms.ChoiceField(required=False, label="Industry")
    level = forms.ChoiceField(required=False, label="Level", choices=[("", "Any level"), *Level.choices])
    skill = forms.ChoiceField(required=False, label="Skill")
    provider = forms.ChoiceField(required=False, label="Provider")
    accredited = forms.BooleanField(required=False, label="Accredited providers only")
    min_hours = forms.IntegerField(required=False, min_value=0, max_value=10000, label="Min. hours")
    max_hours = forms.IntegerField(required=False, min_value=0, max_value=10000, label="Max. hours")
    max_price = forms.DecimalField(
        required=False, min_value=Decimal(0), max_digits=9, decimal_places=2, label="Max. price (€)"
    )
    free = forms.BooleanField(required=False, label="Free only")
    language = forms.ChoiceField(required=False, label="Language")
    participation_form = forms.ChoiceField(
        required=False, label="Form of participation", choices=[("", "Any form"), *ParticipationForm.choices]
    )
    sort = forms.ChoiceField(required=False, label="Sort by", choices=SORT_CHOICES)

    def __init__(
        self,
        data: Any = None,
        *,
        industries: list[tuple[str, str]],
        providers: list[tuple[str, str]],
        skills: list[tuple[str, str]],
        languages: list[str],
    ) -> None:
        super().__init__(data)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                field.widget = PlainSelect(attrs=field.widget.attrs, choices=field.widget.choices)
        self._set_choices("industry", [("", "All industries"), *industries])
        self._set_choices("provider", [("", "All providers"), *providers])
        self._set_choices("skill", [("", "Any skill"), *skills])
        self._set_choices("language", [("", "Any language"), *[(c, language_name(c)) for c in languages]])

    def _set_choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_hours"), data.get("max_hours")
        if low is not None and high is not None and low > high:
            self.add_error("max_hours", "Must be at least the minimum.")
            data.pop("max_hours", None)
        return data

    def to_filters(self) -> CatalogFilters:
        """Filters from the fields that parsed; a bad field is reported and ignored, not fatal."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        data = self.cleaned_data
        return CatalogFilters(
            q=data.get("q") or "",
            industry=data.get("industry") or "",
            level=data.get("level") or "",
            skill=data.get("skill") or "",
            provider=data.get("provider") or "",
            accredited=bool(data.get("accredited")),
            min_hours=data.get("min_hours"),
            max_hours=data.get("max_hours"),
            max_price=data.get("max_price"),
            free=bool(data.get("free")),
            language=data.get("language") or "",
            participation_form=data.get("participation_form") or "",
            sort=data.get("sort") or "relevance",
        )

    def active_count(self) -> int:
        if not hasattr(self, "cleaned_data"):
            return 0
        return sum(
            1
            for name, value in self.cleaned_data.items()
            if name not in {"q", "sort"} and value not in (None, "", False)
        )


EQF_CHOICES = [(n, f"EQF {n}") for n in range(1, 9)]


class MicroCredentialForm(forms.Form):
    """Every EU mandatory element plus the catalog information. The slug is set once, at creation."""

    # Identity
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=120, help_text="Part of the public address; lower-case letters, digits and hyphens. Cannot change."
    )
    summary = forms.CharField(max_length=300, help_text="One or two sentences shown on catalog cards.")
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), help_text="Markdown: headings, lists, links."
    )
    # EU mandatory elements
    awarding_body = forms.CharField(max_length=200, label="Awarding body")
    country = forms.CharField(
        max_length=2, min_length=2, label="Country of the issuer", help_text="ISO 3166-1 alpha-2 code, e.g. IE."
    )
    learning_outcomes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), label="Learning outcomes", help_text="One outcome per line."
    )
    workload_hours = forms.IntegerField(min_value=1, max_value=10000, label="Notional workload (hours)")
    ects = forms.DecimalField(
        required=False, min_value=Decimal(0), max_digits=4, decimal_places=1, label="ECTS credits"
    )
    eqf_level = forms.TypedChoiceField(choices=EQF_CHOICES, coerce=int, label="EQF level")
    assessment_type = forms.ChoiceField(choices=AssessmentType.choices, label="Type of assessment")
    assessment_description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="How learners are assessed"
    )
    participation_form = forms.ChoiceField(choices=ParticipationForm.choices, label="Form of participation")
    quality_assurance = forms.CharField(max_length=300, label="Quality assurance")
    # EU optional elements
    prerequisites = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    supervision = forms.ChoiceField(choices=Supervision.choices, label="Supervision of the assessment")
    identity_verified = forms.BooleanField(required=False, label="Identity checked during assessment")
    stackable = forms.BooleanField(required=False, label="Stackable into a larger credential")
    stackability = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="What it stacks into"
    )
    # Catalog information
    level = forms.ChoiceField(choices=Level.choices)
    industry = forms.CharField(
        max_length=100,
        help_text="Pick one or type a new industry.",
        widget=forms.TextInput(attrs={"list": "industries"}),
    )
    language = forms.CharField(max_length=8, initial="en", help_text="Language code, e.g. en, de, nl.")
    price = forms.DecimalField(min_value=Decimal(0), max_digits=9, decimal_places=2, initial=Decimal(0))
    currency = forms.CharField(max_length=3, min_length=3, initial="EUR")
    duration_weeks = forms.IntegerField(min_value=1, max_value=520, initial=4, label="Typical duration (weeks)")
    validity_months = forms.IntegerField(
        required=False, min_value=1, max_value=1200, label="Valid for (months)", help_text="Empty: never expires."
    )
    image_url = forms.URLField(required=False, max_length=300, label="Image URL", assume_scheme="https")
    criteria = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Criteria", help_text="What a learner must do."
    )
    overall_pass_mark = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        label="Overall pass mark (%)",
        help_text="Optional. The weighted score of the lessons with a weight a learner needs to complete.",
    )

    SECTIONS = tuple((group.title, group.fields) for group in MICROCREDENTIAL_GROUPS)

    def __init__(self, *args: Any, editing: MicroCredential | None = None, **kwargs: Any) -> None:
        if editing is not None:
            kwargs.setdefault("initial", self.initial_from(editing))
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is not None:
            # The slug is part of public URLs and credentials; it is shown but never posted back.
            self.fields["slug"].disabled = True
            self.fields["slug"].required = False
        # Not a model field (a link to other offers), so it is added here, beside the free-text
        # prerequisites, rather than in the definition of the EU elements.
        self.fields["builds_on"] = forms.ModelMultipleChoiceField(
            queryset=prerequisite_choices(exclude_family=editing.family if editing is not None else None),
            required=False,
            label="Builds on (other micro-credentials)",
            help_text="Published micro-credentials, of any provider, a learner should complete first. "
            "Type a title to jump to it; Ctrl-click (⌘-click) to choose several.",
            widget=forms.SelectMultiple(attrs={"size": 6}),
        )
        self.fields["builds_on"].label_from_instance = lambda mc: f"{mc.title} — {mc.provider.name}"  # type: ignore[attr-defined]
        if editing is not None and "builds_on" not in self.initial:
            self.initial["builds_on"] = [mc.pk for mc in microcredential_builds_on(editing)]

    @staticmethod
    def initial_from(mc: MicroCredential) -> dict[str, Any]:
        initial = {name: getattr(mc, name) for name in MicroCredentialForm.base_fields if name != "industry"}
        initial["industry"] = mc.industry.name
        initial["learning_outcomes"] = "\n".join(mc.learning_outcomes or [])
        return initial

    def clean_learning_outcomes(self) -> list[str]:
        lines = [line.strip().lstrip("-•*").strip() for line in self.cleaned_data["learning_outcomes"].splitlines()]
        outcomes = [line for line in lines if line]
        if not outcomes:
            raise forms.ValidationError("Add at least one learning outcome.")
        return outcomes

    def sections(self) -> list[tuple[str, list[tuple[forms.BoundField, bool]]]]:
        """Fieldsets of (field, spans the whole row) pairs: long text gets the full width."""
        return [
            (
                title,
                [
                    (self[name], isinstance(self.fields[name].widget, forms.Textarea) or name in {"title", "summary"})
                    for name in names
                ],
            )
            for title, names in self._sections_with_links()
        ]

    def _sections_with_links(self) -> list[tuple[str, tuple[str, ...]]]:
        return [
            (title, tuple(n for name in names for n in ((name, "builds_on") if name == "prerequisites" else (name,))))
            for title, names in self.SECTIONS
        ]

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.editing is not None:
            data.pop("slug", None)
        return data


class ProgrammeForm(forms.Form):
    """A provider's stackable programme: its own micro-credentials (any version names the offer)."""

    title = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=120, help_text="Part of the public address. Cannot change.")
    leads_to = forms.CharField(
        max_length=300, label="Leads to", help_text="The bigger credential, e.g. “Certificate in Platform Engineering”."
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    microcredentials = forms.ModelMultipleChoiceField(
        queryset=MicroCredential.objects.none(),
        label="Micro-credentials that stack into it",
        help_text="At least two, in the order a learner takes them. Ctrl-click (⌘-click) to choose several.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args: Any, provider: Organisation, editing: Programme | None = None, **kwargs: Any) -> None:
        if editing is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": editing.title,
                    "slug": editing.slug,
                    "leads_to": editing.leads_to,
                    "description": editing.description,
                    "microcredentials": [m.microcredential_id for m in editing.members.all()],  # type: ignore[attr-defined]
                },
            )
        super().__init__(*args, **kwargs)
        self.editing = editing
        field = self.fields["microcredentials"]
        field.queryset = provider_offers_for_programmes(provider=provider)  # type: ignore[attr-defined]
        field.label_from_instance = lambda mc: f"{mc.title} (v{mc.version}, {mc.get_status_display().lower()})"  # type: ignore[attr-defined]
        if editing is not None:
            self.fields["slug"].disabled = True
            self.fields["slug"].required = False

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["microcredentials"] = list(data["microcredentials"])  # in the list's order: the catalog's
        if self.editing is not None:
            data.pop("slug", None)
        return data


class ModuleForm(forms.Form):
    title = forms.CharField(max_length=200, label="Module title")
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Summary")


class LessonForm(forms.Form):
    """One form for every lesson kind; the fields a kind does not use are dropped. A kind another
    app edits (a quiz) adds its own fields through a ``LessonEditor``: build the form with
    ``lesson_form``."""

    KIND_FIELDS = {
        LessonKind.READING: ("body",),
        LessonKind.VIDEO: ("video_url", "transcript", "body"),
        LessonKind.ASSIGNMENT: ("instructions", "body"),
    }

    title = forms.CharField(max_length=200)
    estimated_minutes = forms.IntegerField(min_value=0, max_value=10000, initial=10, label="Estimated minutes")
    required = forms.BooleanField(
        required=False, initial=True, label="Required for completion", help_text="Untick for optional extra material."
    )
    body = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 10}), label="Text", help_text="Markdown."
    )
    video_url = forms.URLField(label="Video URL", assume_scheme="https")
    transcript = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), help_text="Markdown: what to do and submit."
    )
    # The completion rules of a scored lesson (ADR 0029); left empty, the lesson counts by being passed.
    weight = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        label="Weight in the overall score",
        help_text="Optional. The overall score weighs every lesson with a weight; leave empty to keep it out.",
    )
    min_score = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=100,
        label="Minimum score (%)",
        help_text="Optional. The score this lesson needs to count towards completion, on top of passing.",
    )

    SCORED_KINDS = (LessonKind.QUIZ, LessonKind.ASSIGNMENT)

    editor: LessonEditor | None = None

    def __init__(self, *args: Any, kind: str, provider: Organisation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.provider = provider
        if self.editor is not None:
            kind_fields = (*self.editor.lesson_fields, *self.editor.fields.base_fields)
        else:
            kind_fields = self.KIND_FIELDS[LessonKind(kind)]
        keep = {"title", "estimated_minutes", "required", *kind_fields}
        if kind in self.SCORED_KINDS:
            keep.add("weight")
        if kind == LessonKind.ASSIGNMENT:
            # A quiz's minimum is its pass mark (``Lesson.min_score``).
            keep.add("min_score")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if kind != LessonKind.READING and "body" in self.fields:
            self.fields["body"].label = "Introduction"
            self.fields["body"].help_text = "Markdown, shown above the lesson."
        if self.editor is not None and self.editor.prepare is not None and provider is not None:
            self.editor.prepare(self, provider)


def lesson_kinds() -> list[LessonKind]:
    """The kinds a provider can add: catalog's own, and those an editor is listed for."""
    return [kind for kind in LessonKind if kind in LessonForm.KIND_FIELDS or lesson_editor(kind) is not None]


def lesson_form(*args: Any, kind: str, **kwargs: Any) -> LessonForm:
    """The lesson form of ``kind``: with an editor's fields after the lesson's own when another app
    edits the kind. An unknown kind, or one nobody edits, raises ``LookupError``. Pass
    ``provider=`` (the micro-credential's) so an editor's fields can offer the provider's own
    choices (``LessonEditor.prepare``)."""
    editor = lesson_editor(kind)
    if editor is None:
        if kind not in LessonForm.KIND_FIELDS:
            raise LookupError(f"No editor for lesson kind {kind!r}.")
        return LessonForm(*args, kind=kind, **kwargs)
    # The editor's form comes first among the bases so that its fields follow the lesson's.
    form_class = type(f"{editor.fields.__name__}Lesson", (editor.fields, LessonForm), {"editor": editor})
    return form_class(*args, kind=kind, **kwargs)  # type: ignore[no-any-return]
