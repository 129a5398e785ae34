"""LLM backends (one Protocol, `LlmBackend`) and the answerer that checks what they write."""
