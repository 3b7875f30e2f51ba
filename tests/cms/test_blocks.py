"""Module blocks validate themselves and keep answers off the API."""

import pytest
from django.core.exceptions import ValidationError

from cms.blocks import ModuleBodyBlock, QuestionBlock


def question_value(choices, prompt="Where do you issue a refund?"):
    block = QuestionBlock()
    return block, block.to_python(
        {
            "prompt": prompt,
            "choices": [{"text": t, "correct": c} for t, c in choices],
            "explanation": "Refunds start from the order.",
        }
    )


def error_on_choices(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.block_errors["choices"].messages)


def test_question_with_one_correct_choice_is_valid():
    block, value = question_value([("The order page", True), ("An email", False)])
    assert block.clean(value)["prompt"] == "Where do you issue a refund?"


def test_question_with_no_correct_choice_is_rejected_on_the_choices_field():
    block, value = question_value([("The order page", False), ("An email", False)])
    with pytest.raises(ValidationError) as exc:
        block.clean(value)
    assert "Mark at least one choice as correct." in error_on_choices(exc.value)


@pytest.mark.parametrize("count", [1, 7])
def test_question_needs_two_to_six_choices(count):
    block, value = question_value([(f"Choice {i}", i == 0) for i in range(count)])
    with pytest.raises(ValidationError) as exc:
        block.clean(value)
    assert "choices" in exc.value.block_errors


def test_question_api_representation_hides_the_correct_answer():
    block, value = question_value([("The order page", True), ("An email", False), ("Chat", True)])
    assert block.get_api_representation(value) == {
        "prompt": "Where do you issue a refund?",
        "choices": ["The order page", "An email", "Chat"],
        "multiple": True,
    }


def test_module_body_offers_every_block_of_the_design():
    assert set(ModuleBodyBlock().child_blocks) == {
        "text",
        "image",
        "video",
        "key_takeaway",
        "checklist",
        "question",
        "try_on_the_job",
        "ask_a_peer",
    }
