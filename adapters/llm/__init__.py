"""An optional OpenAI-compatible model (``MICROMENTOR_LLM_URL``): the client and what uses it."""
