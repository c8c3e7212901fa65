"""What a reward model reads, built from its format, equals what its model card builds: the
Math-Shepherd card's `f"{question} {output}"` with " ки" after each step (real Mistral v1
tokenizer), and the Qwen2.5-Math-PRM card's chat-template conversation (a ChatML tokenizer)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from app.engines.vllm_common import chat_prompt, prompt_ids
from app.formats.resolve import load_preset
from app.formats.scorer_input import encode_chains, scorer_text
from app.formats.spec import ScorerFormat
from tests.real_tokenizers import chatml_bpe, mistral_v1

QUESTION = (
    "Janet\u2019s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her "
    "friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg. "
    "How much in dollars does she make every day at the farmers' market?"
)
STEPS = [
    "Step 1: Janet's ducks lay 16 eggs per day.",
    "Step 2: She eats three for breakfast every morning, so she has 16 - 3 = 13 eggs left.",
    "Step 3: She bakes muffins for her friends every day with four eggs, so she has 13 - 4 = 9 eggs left.",
    "Step 4: She sells the remainder at the farmers' market daily for $2 per fresh duck egg, so she makes "
    "9 * $2 = $18 every day at the farmers' market. The answer is: 18",
]


def preset_scorer(name: str) -> ScorerFormat:
    fmt = load_preset(name).scorer
    assert fmt is not None
    return fmt


@pytest.fixture(scope="module")
def mistral(tmp_path_factory: pytest.TempPathFactory) -> PreTrainedTokenizerBase:
    return AutoTokenizer.from_pretrained(str(mistral_v1(tmp_path_factory.mktemp("mistral"))))


@pytest.fixture(scope="module")
def chatml(tmp_path_factory: pytest.TempPathFactory) -> PreTrainedTokenizerBase:
    return AutoTokenizer.from_pretrained(str(chatml_bpe(tmp_path_factory.mktemp("chatml"))))


def test_math_shepherd_input_is_the_model_cards(mistral: PreTrainedTokenizerBase) -> None:
    # As the card computes them: the tag and the two candidates from the tokenizer itself.
    step_tag_id = mistral.encode("ки")[-1]
    candidates = mistral.encode("+ -")[1:]
    output = "".join(f"{step} ки\n" for step in STEPS).rstrip("\n")
    card = mistral.encode(f"{QUESTION} {output}")
    fmt = preset_scorer("math-shepherd")
    ours = mistral.encode(scorer_text(fmt, QUESTION, STEPS, lambda m: ""))
    # The same tokens, then only the joiner after the last tag: a causal model's scores at the
    # tags do not see what follows them.
    assert ours[: len(card)] == card and mistral.decode(ours[len(card) :]).strip() == ""
    vocab = mistral.get_vocab()
    assert vocab[fmt.tag_token] == step_tag_id == 12902
    assert [vocab[fmt.good_token or ""], vocab[fmt.bad_token or ""]] == candidates == [648, 387]
    assert ours.count(step_tag_id) == len(STEPS)


def test_qwen_prm_input_is_the_model_cards(chatml: PreTrainedTokenizerBase) -> None:
    fmt = preset_scorer("qwen2.5-math-prm")
    messages = [
        {"role": "system", "content": "Please reason step by step, and put your final answer within \\boxed{}."},
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": "<extra_0>".join(STEPS) + "<extra_0>"},
    ]
    card = chatml.apply_chat_template(messages, tokenize=False, add_generation_prompt=False)
    ours = scorer_text(fmt, QUESTION, STEPS, lambda m: chat_prompt(chatml, m, answer=False))
    assert ours == card
    assert chatml.encode(ours).count(chatml.get_vocab()[fmt.tag_token]) == len(STEPS)


@given(steps=st.lists(st.text(alphabet="ab +-=\n.1", min_size=1, max_size=12), max_size=8))
def test_every_step_gets_exactly_one_tag(steps: list[str]) -> None:
    fmt = preset_scorer("arith")
    try:
        text = scorer_text(fmt, "1+2", steps, lambda m: "")
    except ValueError:
        return  # a step that would make a tag across its boundary is refused, not mis-scored
    assert text.count(fmt.step_tag) == len(steps)


def test_a_tag_in_the_problem_is_refused(chatml: PreTrainedTokenizerBase) -> None:
    with pytest.raises(ValueError, match="in the problem"):
        scorer_text(preset_scorer("qwen2.5-math-prm"), "what is <extra_0>?", ["x"], lambda m: "")
    with pytest.raises(ValueError, match="occurs in the prompt"):
        scorer_text(preset_scorer("arith"), "1#2", ["x"], lambda m: "")


def test_chains_the_reward_model_cannot_read_are_left_out_not_an_error(mistral: PreTrainedTokenizerBase) -> None:
    fmt = preset_scorer("math-shepherd")
    tag_id = mistral.convert_tokens_to_ids("▁ки")
    short, long_ = ["Step 1: 2 + 2 = 4. The answer is: 4"], [f"Step {i}: 1 + 1 = 2." for i in range(1, 40)]
    tagged = ["Step 1: 2 ки 2 = 4.", "The answer is: 4"]  # the model wrote the tag inside a step
    room = len(mistral.encode(scorer_text(fmt, QUESTION, short, lambda m: ""))) + 5
    encoded = encode_chains(fmt, QUESTION, [short, long_, [], tagged], lambda m: "", mistral.encode, tag_id, room)
    # A tag the model wrote inside a step is taken out before reading (one tag per step); a chain
    # too long for the model is unread, and one with no steps has nothing to score.
    assert [(job[0], job[2]) for job in encoded.jobs] == [(0, 1), (3, 2)]
    assert encoded.jobs[1][1].count(tag_id) == 2 and encoded.unread == [1]


def test_a_chain_whose_text_breaks_the_chat_is_unread_but_a_bad_problem_is_the_requests(
    chatml: PreTrainedTokenizerBase,
) -> None:
    fmt = preset_scorer("qwen2.5-math-prm")
    tag_id = chatml.convert_tokens_to_ids("<extra_0>")

    def chat(messages: object) -> str:
        return chat_prompt(chatml, messages, answer=False)  # type: ignore[arg-type]

    def encode(text: str) -> list[int]:
        if "poison" in text:
            raise ValueError("the template refuses this text")
        return list(chatml.encode(text))

    encoded = encode_chains(fmt, "1+2", [["3"], ["poison"]], chat, encode, tag_id, 10_000)
    assert [job[0] for job in encoded.jobs] == [0] and encoded.unread == [1]
    with pytest.raises(ValueError, match="problem"):
        encode_chains(fmt, "what is <extra_0>?", [["3"]], chat, encode, tag_id, 10_000)


def test_a_templated_prompt_gets_one_bos_and_a_plain_one_gets_its_own(mistral: PreTrainedTokenizerBase) -> None:
    mistral.chat_template = "{{ bos_token }}{% for m in messages %}[INST] {{ m['content'] }} [/INST]{% endfor %}"
    templated = chat_prompt(mistral, [("user", "1+2")])
    ids = prompt_ids(mistral, templated, templated=True)
    assert ids[0] == mistral.bos_token_id and ids.count(mistral.bos_token_id) == 1
    plain = prompt_ids(mistral, "1+2", templated=False)
    assert plain[0] == mistral.bos_token_id and plain.count(mistral.bos_token_id) == 1


def test_the_arith_reward_models_read_shorthand_steps_written_out_in_full() -> None:
    # They were trained on `85*3=255`; the generator writes `*3=255` (the left operand is the
    # previous result), so what they read is the same chain either way.
    fmt = preset_scorer("arith")
    short = scorer_text(fmt, "((37+48)*3)-12", ["37+48=85", "*3=255", "-12=243", "A:243"], chat_prompt)
    full = scorer_text(fmt, "((37+48)*3)-12", ["37+48=85", "85*3=255", "255-12=243", "A:243"], chat_prompt)
    assert short == full == "Q:((37+48)*3)-12\n37+48=85#\n85*3=255#\n255-12=243#\nA:243#\n"
