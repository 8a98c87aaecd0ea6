"""``coherence serve``: the checker as an HTTP JSON service for editorial systems (Starlette on uvicorn).

``command`` registers the CLI command and stays light; ``app`` is the web application, ``worker``
the single thread that owns the models and checks queued articles in batches.
"""
