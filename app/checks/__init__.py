"""Step checkers: deterministic tools that read a chain's steps beside the reward model and say,
per step, whether the claim it makes holds (`pass`), is false (`fail`), or cannot be told
(`none`: no checkable claim, an error, a timeout). Pure: no engines, no I/O."""
