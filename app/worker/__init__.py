"""The reward-model worker (`bon worker`): a PRM (and optionally an ORM) behind `POST /score`."""
