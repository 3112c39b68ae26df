"""Lessons saved before remote images were refused keep them in their stored HTML: render again."""

from django.db import migrations


def rerender_lesson_html(apps, schema_editor):
    from microcred.core.markdown import render_markdown

    Lesson = apps.get_model("catalog", "Lesson")
    for lesson in Lesson.objects.exclude(body="", instructions="").iterator():
        body_html, instructions_html = render_markdown(lesson.body), render_markdown(lesson.instructions)
        if (body_html, instructions_html) != (lesson.body_html, lesson.instructions_html):
            Lesson.objects.filter(pk=lesson.pk).update(body_html=body_html, instructions_html=instructions_html)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_search_vector_and_sort_indexes")]

    operations = [migrations.RunPython(rerender_lesson_html, migrations.RunPython.noop)]
