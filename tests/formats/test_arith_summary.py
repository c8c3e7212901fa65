from __future__ import annotations

from app.formats.arith_summary import summarize_chain


def test_arith_summary_paraphrases_without_copying_steps() -> None:
    steps = ["37+48=85", "85*3=255", "255-12=243", "A:243"]
    s = summarize_chain("arith", steps, "243", [0.99, 0.9, 0.95, 0.97])
    assert "from 37 in 3 operations" in s and "multiply by 3 to get 255" in s and "243" in s
    assert not any(step in s for step in steps)
    assert "0.90" in s


def test_text_outside_the_step_grammar_never_reaches_the_summary() -> None:
    s = summarize_chain("arith", ["SECRET thought", "37+48=85", "A:85"], "85", [0.5, 0.9, 0.9])
    assert "SECRET" not in s and "add 48 to get 85" in s


def test_generic_summary_states_shape_only() -> None:
    s = summarize_chain("gsm8k", ["Let x be the SECRET", "So x = 4", "\\boxed{4}"], "4", [0.8, 0.7, 0.9])
    assert "SECRET" not in s and "3 steps" in s and "answer 4" in s
