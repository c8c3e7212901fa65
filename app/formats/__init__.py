"""How the service reads the models' notation: prompts, steps and answers of a task."""
