"""Traffic in and out: trace files (JSONL), HAR import, the recording proxy."""
