"""The steps of a chain still decoding that are settled: for any prefix of a chain they are the
first steps the finished chain will have, and they change only when a step closes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.formats.reading import closes_a_step, read_chain, settled_steps
from app.formats.resolve import load_preset
from app.formats.spec import GeneratorFormat

QWEN, R1, ARITH = (load_preset(name).generator for name in ("qwen2.5-math", "r1", "arith"))
assert QWEN is not None and R1 is not None and ARITH is not None
FORMATS: list[GeneratorFormat] = [QWEN, R1, ARITH]

words = st.text(alphabet="ab1+= \n<>/", min_size=0, max_size=12)


@st.composite
def chains(draw: st.DrawFn) -> tuple[GeneratorFormat, str]:
    fmt = draw(st.sampled_from(FORMATS)).model_copy(update={"max_steps": 1000})  # below the cap: no merging
    steps = draw(st.lists(words, min_size=0, max_size=8))
    text = fmt.step_separator.join(steps)
    if fmt.thinking is not None and draw(st.booleans()):
        text = f"{text}\n{fmt.thinking.close}\n\nSo \\boxed{{3}}."
    return fmt, text


@given(chains(), st.data())
def test_settled_steps_of_any_prefix_begin_the_finished_chains_steps(
    chain: tuple[GeneratorFormat, str], data: st.DataObject
) -> None:
    fmt, text = chain
    final = read_chain(text, fmt).steps
    cut = data.draw(st.integers(min_value=0, max_value=len(text)))
    settled = settled_steps(text[:cut], fmt)
    assert final[: len(settled)] == settled


@given(chains(), st.data())
def test_settled_steps_change_only_when_a_step_closes(chain: tuple[GeneratorFormat, str], data: st.DataObject) -> None:
    fmt, text = chain
    a = data.draw(st.integers(min_value=0, max_value=len(text)))
    b = data.draw(st.integers(min_value=a, max_value=len(text)))
    if not closes_a_step(text[:b], a, fmt):
        assert settled_steps(text[:b], fmt) == settled_steps(text[:a], fmt)


def test_a_step_waits_for_its_separator_and_thinking_steps_settle_when_it_closes() -> None:
    assert settled_steps("37+48=85\n85*3=2", ARITH) == ["37+48=85"]
    assert settled_steps("37+48=85\n85*3=255\n", ARITH) == ["37+48=85", "85*3=255"]
    thinking = "<think>\nFirst 2+2.\n\nThat is 4."
    assert settled_steps(thinking, R1) == ["First 2+2."]
    assert settled_steps(thinking + "\n</think>\n\nSo", R1) == ["First 2+2.", "That is 4."]
