"""Use cases. Each takes a :class:`ServiceContext` and reads like the sentence in the issue."""
