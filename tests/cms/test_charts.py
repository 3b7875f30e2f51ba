"""The dashboards' server-drawn charts: proportions, captions and the text a screen reader gets."""

from django.template import Context, Template


def render(source: str, **context) -> str:
    return Template("{% load charts %}" + source).render(Context(context))


def test_stacked_bar_draws_shares_and_the_target_beneath():
    html = render(
        "{% stacked_bar mix target=target label='Mix' %}",
        mix=[("On the job", 30), ("With others", 10), ("Formal", 60)],
        target=[("On the job", 70), ("With others", 20), ("Formal", 10)],
    )
    assert "width: 30.0%" in html
    assert "width: 60.0%" in html
    assert "mm-target" in html
    assert (
        'aria-label="Mix: On the job 30%, With others 10%, Formal 60% (target 70, 20, 10)"' in html
    )


def test_stacked_bar_with_nothing_says_so():
    html = render("{% stacked_bar mix %}", mix=[("On the job", 0), ("Formal", 0)])
    assert "nothing recorded yet" in html
    assert "mm-target" not in html


def test_progress_bar_marks_overdue_after_done():
    html = render("{% progress_bar 3 10 overdue=2 %}")
    assert "width: 30.0%" in html
    assert "mm-overdue" in html
    assert "3 of 10 done, 2 overdue" in html


def test_progress_bar_of_nothing_is_empty_not_an_error():
    assert "0 of 0 done" in render("{% progress_bar 0 0 %}")


def test_bar_chart_scales_to_the_largest_row_or_a_given_maximum():
    rows = [("Lunch", 40), ("Commute", 10)]
    html = render("{% bar_chart rows unit='%' %}", rows=rows)
    assert "width: 100.0%" in html
    assert "width: 25.0%" in html
    assert "40%" in html
    html = render("{% bar_chart rows unit='%' maximum=100 %}", rows=rows)
    assert "width: 40.0%" in html
