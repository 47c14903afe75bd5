"""Rasa custom actions of the outsourcing advisor: thin wrappers around `advisor`."""
