"""One folder per assistant: its assistant.yaml, and its own code where it goes beyond chat
(see README.md beside this file)."""
