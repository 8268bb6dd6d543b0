"""Custom Rasa components for Japanese: the SudachiPy tokenizer and the FAQ answer gate."""
