"""The grounded pipeline as LlamaIndex parts: a retriever (`retriever.GroundedRetriever`), a
query engine (`query_engine.GroundedQueryEngine`) and any LlamaIndex `LLM` as the answer
writer (`llm.LlamaIndexBackend`), each keeping exact offsets, checked citations and abstention.

Import the module you need; nothing is imported or loaded here.
"""
