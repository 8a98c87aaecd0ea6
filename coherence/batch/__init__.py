"""``coherence batch``: check an archive on Ray (Ray Data's actor pool, models loaded once per actor).

``records`` reads the inputs (article files, JSONL and Parquet archives) into records; ``output``
writes result rows (JSONL or Parquet) and knows which are done, so a run resumes; ``ray_run``
is the Ray part; ``command`` the CLI command. Ray is an optional extra: ``coherence[ray]``.
"""
