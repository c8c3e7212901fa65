"""optillm plugin: best-of-N with the shared process reward model (model name `prmbon-<model>`).

One `n=N` chat call to the generator (optillm's client), then one `POST /score` to the PRM
server (`bon worker`) with all N chains; the chain whose weakest step scores highest is returned,
whole, as optillm returns every answer. N comes from the request body's `bon_n` (optillm copies
unknown body fields into `request_config`); the PRM's URL from `BON_PEERS_PRM_URL`.

optillm hands a plugin the conversation flattened into "User: <text>" (`initial_query`); the PRM
must read the problem itself, so the plugin asks for the request's own messages as well.
"""

import os

import httpx

SLUG = "prmbon"

# One client for the server's life: a new one per call reloads the CA bundle (tens of ms).
_PRM = httpx.Client(timeout=600)


def _steps(text):
    return [line.strip() for line in text.split("\n") if line.strip()]


def _problem(messages, initial_query):
    users = [m.get("content") for m in messages or [] if m.get("role") == "user"]
    return users[0] if users and isinstance(users[0], str) else initial_query


def run(system_prompt, initial_query, client, model, request_config=None, messages=None):
    config = request_config or {}
    n = int(config.get("bon_n", 4))
    problem = _problem(messages, initial_query)
    response = client.chat.completions.create(
        model=model,
        messages=[{"role": "system", "content": system_prompt}, {"role": "user", "content": problem}],
        n=n,
        max_tokens=config.get("max_tokens", 160),
        temperature=config.get("temperature", 1.0),
    )
    chains = [choice.message.content or "" for choice in response.choices]
    scored = _PRM.post(
        os.environ["BON_PEERS_PRM_URL"].rstrip("/") + "/score",
        json={"problem": problem, "chains": [_steps(c) for c in chains], "reward": "process"},
    )
    scored.raise_for_status()
    # A chain with no step (or too long for the PRM) has no evidence: score 0.
    scores = [min(s) if s else 0.0 for s in scored.json()["scores"]]
    best = max(range(len(chains)), key=scores.__getitem__)
    return chains[best], response.usage.completion_tokens
