"""Custom Rasa NLU components of the outsourcing advisor."""
